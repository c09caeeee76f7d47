using System.Collections.Concurrent;
using Dapper;
using Digest.Articles;
using Digest.Editions;
using Digest.Rendering;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Delivery;

/// <summary>What one pass over a run did.</summary>
/// <remarks>
/// <c>Alert</c>: why sending waits for the operator (the relay refused Digest itself), naming the setting.
/// <c>AwaitingServer</c>: no SMTP server could be reached; the rest waits for one to answer, its recipients not charged.
/// </remarks>
public sealed record SendReport(long RunId, int Sent, int Failed, int Retrying, int Skipped, bool Completed, string? Alert = null,
    bool AwaitingServer = false)
{
    /// <summary>
    /// This pass and the one after it, as one: the later pass's state, the sum of what both did, and
    /// <paramref name="retrying"/> left to retry after both (counted in the ledger: a later pass may take up copies the
    /// earlier one deferred, or leave them for later, so neither pass's own count says it).
    /// </summary>
    public SendReport Then(SendReport next, int retrying) =>
        next with { Sent = Sent + next.Sent, Failed = Failed + next.Failed, Retrying = retrying, Skipped = Skipped + next.Skipped };
}

/// <summary>
/// Sends a run (or one range of its audience) to everyone the ledger shows as still owed the digest, over as many
/// messages at once as the transport has connections. Safe to call again at any time (after a crash, from a retry,
/// from two workers at once): the ledger decides who is owed, never the caller.
/// </summary>
public sealed class RunSender(
    Database database,
    DeliveryLedger ledger,
    AudienceFreeze audience,
    DigestComposer composer,
    IDigestRenderer renderer,
    MessageFactory messages,
    IMailTransport transport,
    Feedback.ReturnPath returnPath,
    IOptionsMonitor<EditionsOptions> editions,
    IOptions<DeliveryOptions> delivery,
    RunAlerts alerts,
    TimeProvider time,
    DigestMetrics metrics,
    ILogger<RunSender> logger) : IAsyncDisposable
{
    /// <summary>Entries claimed per query: enough to keep the ledger's share of the work small, few enough to re-send soon after a crash.</summary>
    private const int ClaimChunk = 64;
    /// <summary>Runs whose bodies are kept between passes; past this many the cache starts over.</summary>
    private const int KeptRuns = 16;
    // A stop lets the message on its way finish: cut off between the server's acceptance and its reply, it would be
    // recorded as unsent and go out again after the restart. A relay that hangs still cannot hold the stop for long.
    private static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Copies whose end has gone to a server and whose outcome is not yet committed, across every pass in this
    /// process: a crash repeats at most these. Several batch jobs send side by side in one worker, each with its
    /// own senders, so a bound per sender would multiply with them; this one stays at the connections'.
    /// </summary>
    private readonly SemaphoreSlim _unrecorded = new(transport.Concurrency, transport.Concurrency);
    /// <summary>One group commit for every pass in this process, so outcomes of passes side by side share commits.</summary>
    private readonly LedgerWriter _writer = new(ledger, metrics, transport.Concurrency);

    /// <summary>Commits the outcomes still on their way and closes the writer's connections.</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    /// <summary>
    /// Each run's kinds of copy, kept across its passes (a run goes out as many batch jobs): the templates then
    /// render once per run, article set and kind of recipient, not once per batch. Keyed by the edition settings in
    /// force too, so a run whose edition is edited midway renders anew.
    /// </summary>
    private readonly ConcurrentDictionary<(long Run, EditionsOptions Settings), RunCopies> _copies = new();

    public Task<SendReport> SendAsync(long runId, CancellationToken cancellationToken = default) =>
        SendAsync(runId, SubscriberRange.All, cancellationToken);

    /// <summary>
    /// Sends the run, then keeps sending whatever falls due (retries, claims of a crashed sender running out) within
    /// <paramref name="horizon"/>, so a resumed run finishes without waiting for the next resume job.
    /// </summary>
    public async Task<SendReport> SendUntilSettledAsync(long runId, TimeSpan horizon, CancellationToken cancellationToken = default)
    {
        var first = await SendAsync(runId, cancellationToken);
        var total = first;
        // A run waiting for a server is sent again when one answers (the service resumes it then), not in a loop here.
        while (!total.Completed && total.Alert is null && !total.AwaitingServer
               && await ledger.NextDueAsync(runId, cancellationToken) is { } due && due - time.GetUtcNow() <= horizon)
        {
            var wait = due - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, time, cancellationToken);
            // What is left to retry is counted once, after the last pass.
            total = total.Then(await SendAsync(runId, cancellationToken), retrying: 0);
        }
        return ReferenceEquals(total, first) ? first : total with { Retrying = await ledger.RetryingAsync(runId, SubscriberRange.All, cancellationToken) };
    }

    public async Task<SendReport> SendAsync(long runId, SubscriberRange range, CancellationToken cancellationToken = default)
    {
        var serverReturn = transport.NextServerReturn;
        var report = await PassAsync(runId, range, cancellationToken);
        // A server answered again while this pass held copies for want of one: they are due now, and the resume its
        // return started may have looked for them before they were recorded.
        if (report.AwaitingServer && serverReturn.IsCompleted)
        {
            var next = await SendAsync(runId, range, cancellationToken);
            return report.Then(next, await ledger.RetryingAsync(runId, range, cancellationToken));
        }
        return report;
    }

    private async Task<SendReport> PassAsync(long runId, SubscriberRange range, CancellationToken cancellationToken)
    {
        var run = await LoadRunAsync(runId, cancellationToken);
        if (run is null || run.Status != RunStatus.Sending)
            return new SendReport(runId, 0, 0, 0, 0, Completed: run is not null);

        var settings = editions.CurrentValue;
        var edition = settings.Get(run.Edition);
        IReadOnlyList<Article> articles;
        string? note;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            articles = await ArticleStore.ForRunAsync(connection, runId);
            note = await EditionNotes.ForRunAsync(connection, runId);
        }

        var pass = new Pass(run, edition, CopiesFor(run, edition, settings, articles, note));
        int chunk = Math.Max(ClaimChunk, transport.Concurrency * 2);
        // Up to a chunk and a half of claims wait ahead of the senders. A crash cuts those claims off; they are taken
        // again once the claim timeout has passed (never sent twice).
        var claims = new ClaimQueue<Claimed>(chunk);
        using var watched = metrics.PassStarted(runId, () => claims.Count);
        // A stage that fails (the store is gone) stops the others, instead of leaving them waiting for work.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var inFlight = new CancellationTokenSource();
        await using var stopping = cancellationToken.Register(() =>
        {
            logger.LogInformation("Run {RunId} of {Edition}: stopping; the copies on their way to the server are finished and recorded first", runId, run.Edition);
            inFlight.CancelAfter(InFlightGrace);
        });
        var senders = Stage(transport.Concurrency, stop, () => SendClaimsAsync(pass, runId, claims, stop.Token, inFlight.Token));
        try
        {
            await ClaimAllAsync(pass, runId, range, chunk, claims, stop.Token);
        }
        finally
        {
            claims.Complete();
            await Task.WhenAll(senders);
        }

        bool completed = await CompleteIfDoneAsync(runId, cancellationToken);
        await RecordAlertAsync(run, pass, cancellationToken);
        if (pass.AwaitingServer is { } outage)
            logger.LogInformation("Run {RunId} of {Edition} waits for an SMTP server: {Outage}. Its recipients are not charged an attempt; " +
                              "sending resumes as soon as a server answers", runId, run.Edition, outage);
        // A pass that found nothing due (copies held for their DeliverAt hour, retries not yet due) is not news every minute.
        bool idle = pass.Sent + pass.Failed + pass.Retrying + pass.Skipped == 0 && !completed;
        logger.Log(idle ? LogLevel.Debug : LogLevel.Information, "Run {RunId} of {Edition}: {Sent} sent, {Failed} failed, {Retrying} to retry, {Skipped} skipped{Done}",
            runId, run.Edition, pass.Sent, pass.Failed, pass.Retrying, pass.Skipped, completed ? "; run complete" : "");
        return new SendReport(runId, pass.Sent, pass.Failed, pass.Retrying, pass.Skipped, completed, pass.Alert, pass.AwaitingServer is not null);
    }

    /// <summary>
    /// Puts the pass's alert on the run (logged once, when it appears or changes), or clears it once a pass delivers:
    /// the operator fixed the setting.
    /// </summary>
    private async Task RecordAlertAsync(Run run, Pass pass, CancellationToken cancellationToken)
    {
        if (pass.Alert is { } alert)
        {
            if (await alerts.SetAsync(run.Id, alert, cancellationToken))
                logger.LogError("Run {RunId} of {Edition} is waiting: {Alert}. Its recipients are not charged an attempt; " +
                                "sending resumes on its own once the setting is fixed", run.Id, run.Edition, alert);
        }
        else if (pass.Sent > 0 && await alerts.SetAsync(run.Id, null, cancellationToken))
            logger.LogInformation("Run {RunId} of {Edition}: the relay accepts Digest again; sending resumed", run.Id, run.Edition);
    }

    private RunCopies CopiesFor(Run run, Edition edition, EditionsOptions settings, IReadOnlyList<Article> articles, string? note)
    {
        if (_copies.Count >= KeptRuns)
            _copies.Clear();
        return _copies.GetOrAdd((run.Id, settings), _ => new RunCopies(articles,
            set => composer.ComposeRunAsync(edition, run.Slot, set, run.Id, note), renderer));
    }

    /// <summary>
    /// Claims the range's owed entries in subscriber order, each search starting after the last claim (so a long run
    /// never rescans what it has sent), and leaves retries this pass scheduled itself for a later pass. A run is
    /// complete only once its whole audience is frozen and sent.
    /// </summary>
    private async Task ClaimAllAsync(Pass pass, long runId, SubscriberRange range, int chunk, ClaimQueue<Claimed> claims, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var remaining = range;
        while (!pass.Alerted && pass.AwaitingServer is null)
        {
            var batch = await ledger.ClaimAsync(runId, remaining, chunk, started, cancellationToken);
            if (batch.Count > 0)
            {
                remaining = remaining with { First = batch[^1].SubscriberId + 1 };
                var at = time.GetUtcNow();
                foreach (var claim in batch)
                    claims.Add(new Claimed(claim, at));
                await claims.RoomAsync(cancellationToken);
            }
            if (batch.Count == chunk)
                continue;
            // Short of frozen subscribers: a pass over the whole run freezes the next chunk of the audience itself (a
            // freeze cut off by a crash goes on here); a batch job's range was frozen before the job was queued.
            bool frozeMore = range == SubscriberRange.All && await audience.FreezeNextAsync(runId, cancellationToken) is not null;
            if (batch.Count == 0 && !frozeMore)
                return;
        }
    }

    /// <summary>A claim and when this sender made it.</summary>
    private sealed record Claimed(DeliveryClaim Claim, DateTimeOffset At);

    /// <summary>
    /// Whether a claim is still this sender's. One that waited in the queue for half the claim timeout (a slow relay,
    /// a low rate limit, a loaded machine) is renewed first: without that, another sender would take it as cut off by
    /// a crash and both would send it. One another sender already took is left to that sender.
    /// </summary>
    private async Task<bool> StillOursAsync(long runId, Claimed claimed, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - claimed.At < delivery.Value.ClaimTimeout / 2)
            return true;
        if (await ledger.RenewClaimAsync(runId, claimed.Claim, cancellationToken))
            return true;
        logger.LogInformation("Run {RunId}: subscriber {SubscriberId} was taken over by another sender while queued here; left to it",
            runId, claimed.Claim.SubscriberId);
        return false;
    }

    private static List<Task> Stage(int workers, CancellationTokenSource stop, Func<Task> work) =>
        Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        })).ToList();

    /// <summary>
    /// One connection's worth of sending: each claim is built into this sender's draft and sent, one after another.
    /// Building in the sender, not in a stage ahead of it, costs a connection a few dozen microseconds per message
    /// (nothing beside a relay's round trip) and saves two hand-offs between threads per message, which on a busy
    /// sender cost more CPU than the building. Each message goes out while the previous one's outcome is being
    /// committed, but its end waits for that commit (<see cref="GatedAlternative"/>): the server can accept it only
    /// once the previous one is in the ledger, so a crash leaves at most one accepted message per connection unrecorded.
    /// </summary>
    private async Task SendClaimsAsync(Pass pass, long runId, ClaimQueue<Claimed> claims, CancellationToken stopping, CancellationToken inFlight)
    {
        using var draft = messages.Draft(pass.Edition.Name, pass.Edition.Title, subject: "");
        var recorded = Task.CompletedTask;
        try
        {
            await foreach (var claimed in claims.TakeAllAsync(stopping))
            {
                // The queue hands out what it holds even once stopping: a stop starts no new copy.
                stopping.ThrowIfCancellationRequested();
                if (!await StillOursAsync(runId, claimed, stopping))
                    continue;
                var outcome = await PrepareAsync(pass, claimed.Claim, draft);
                UnrecordedSlot? slot = null;
                if (outcome is null)
                {
                    slot = new UnrecordedSlot(_unrecorded, _writer.Hurry);
                    var previousCommit = recorded;
                    draft.SendAfter(cancellationToken => slot.TakeAfterAsync(_writer.CommittedAsync(previousCommit), cancellationToken));
                    // Once the relay has refused Digest itself, the copies already claimed wait with the rest of the run.
                    outcome = pass.Alerted ? Held(pass, claimed.Claim) : await SendOneAsync(pass, claimed.Claim, draft.Message, inFlight);
                }
                // A commit that failed stops the pass here (the message it held back was never accepted).
                await _writer.CommittedAsync(recorded);
                recorded = _writer.RecordAsync(runId, outcome, slot is null ? null : slot.Free);
                pass.Count(outcome.Status);
            }
            await _writer.CommittedAsync(recorded);
        }
        finally
        {
            // Even a pass cut short ends only once its last outcome is in the ledger (the writer outlives the pass):
            // what the pass reports, and whether the run is complete, are read from there next.
            await Task.WhenAny(_writer.CommittedAsync(recorded));
        }
    }

    /// <summary>
    /// A copy's place among the ended-but-uncommitted: taken when its end is due (by then it holds a connection, so
    /// the copies holding places are all past their end and only wait for commits), freed once its outcome is
    /// committed (or failed to be: the pass then stops).
    /// </summary>
    private sealed class UnrecordedSlot(SemaphoreSlim places, Action hurryWriter)
    {
        private bool _taken;

        public async Task TakeAfterAsync(Task previousCommit, CancellationToken cancellationToken)
        {
            await previousCommit.WaitAsync(cancellationToken);
            if (!places.Wait(0))
            {
                // Every place is held by a copy whose outcome waits to join a commit, in this pass or one beside it.
                hurryWriter();
                await places.WaitAsync(cancellationToken);
            }
            _taken = true;
        }

        /// <summary>Called once the copy's outcome is committed (or failed to be).</summary>
        public void Free()
        {
            if (_taken)
                places.Release();
        }
    }

    /// <summary>Fills <paramref name="draft"/> with the claim's copy; or, when it is not to be sent, says why (its outcome).</summary>
    private async Task<DeliveryOutcome?> PrepareAsync(Pass pass, DeliveryClaim claim, MessageDraft draft)
    {
        if (claim.SubscriberStatus != SubscriberStatus.Confirmed || claim.SubscriptionStatus != SubscriberStatus.Confirmed)
        {
            // Leaving takes effect at once, even for a run that was already under way.
            string state = claim.SubscriberStatus != SubscriberStatus.Confirmed ? claim.SubscriberStatus : claim.SubscriptionStatus ?? "not subscribed";
            return new DeliveryOutcome(claim.SubscriberId, DeliveryStatus.Skipped, $"subscriber is {state}");
        }
        var set = pass.Copies.SetFor(claim.Topics);
        if (set.NothingFor is { } topics)
            return new DeliveryOutcome(claim.SubscriberId, DeliveryStatus.NoMatch, $"no article of this run is on the reader's topics ({topics})");
        var kind = await pass.Copies.KindAsync(set);
        var recipient = new Subscriber(claim.SubscriberId, claim.Email, claim.Name, claim.SubscriberStatus);
        var reader = composer.ForRecipient(kind.View, pass.Edition, recipient);
        var body = await kind.Bodies.ForAsync(reader);
        var envelope = new Envelope(claim.MessageId, recipient, pass.Edition.Name, pass.Edition.Title, reader.UnsubscribeUrl);
        draft.Fill(envelope, body, kind.View.Subject);
        return null;
    }

    private async Task<DeliveryOutcome> SendOneAsync(Pass pass, DeliveryClaim claim, MimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            string reply = await transport.SendAsync(message, returnPath.For(pass.Run.Id, claim.SubscriberId), cancellationToken);
            return new DeliveryOutcome(claim.SubscriberId, DeliveryStatus.Sent, reply);
        }
        catch (RelayRefusedException refused)
        {
            pass.RaiseAlert(refused.Message);
            return Held(pass, claim);
        }
        catch (NoServerReachableException outage)
        {
            // Due at once: it goes with the first pass after a server answers (which the server's return starts).
            pass.AwaitServer(outage.Message);
            return Held(claim, outage.Message, time.GetUtcNow());
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return FailureOutcome(pass.Run, claim, SendFailure.Classify(error));
        }
    }

    /// <summary>
    /// A copy that waits for the operator's fix: tried again after the retry back-off (the resume job's next pass
    /// finds out whether the setting was fixed), its attempts and retry window untouched.
    /// </summary>
    private DeliveryOutcome Held(Pass pass, DeliveryClaim claim) => Held(claim, pass.Alert!, time.GetUtcNow() + delivery.Value.RetryBackoff);

    /// <summary>A copy that waits for something no recipient is to blame for: its attempts and retry window untouched.</summary>
    private static DeliveryOutcome Held(DeliveryClaim claim, string reason, DateTimeOffset until) =>
        new(claim.SubscriberId, DeliveryStatus.Retry, reason, until, Charged: false);

    private DeliveryOutcome FailureOutcome(Run run, DeliveryClaim claim, SendFailure failure)
    {
        var settings = delivery.Value;
        var nextAttempt = time.GetUtcNow() + Backoff(claim.Attempts + 1, settings);
        if (failure.Permanent || nextAttempt - run.CreatedAt > settings.RetryWindow)
        {
            logger.LogWarning("Run {RunId}: {Email} failed permanently: {Reply}{Note}", run.Id, claim.Email, failure.Reply,
                failure.Suppress ? " (address suppressed)" : failure.SenderProblem ? " (a policy refusal: check the sending setup)" : "");
            return new DeliveryOutcome(claim.SubscriberId, DeliveryStatus.Failed, failure.Reply, Suppress: failure.Suppress);
        }
        logger.LogInformation("Run {RunId}: {Email} will be retried at {Next:u}: {Reply}", run.Id, claim.Email, nextAttempt, failure.Reply);
        return new DeliveryOutcome(claim.SubscriberId, DeliveryStatus.Retry, failure.Reply, nextAttempt);
    }

    /// <summary>RetryBackoff, then twice as long each time, at most MaxRetryBackoff between tries.</summary>
    public static TimeSpan Backoff(long attempt, DeliveryOptions options)
    {
        double factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(options.MaxRetryBackoff.Ticks, options.RetryBackoff.Ticks * factor));
    }

    private async Task<bool> CompleteIfDoneAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        int changed = await connection.ExecuteAsync("""
            UPDATE runs SET status = @completed, completed_at = @now
            WHERE id = @runId AND status = @sending AND freeze_after IS NULL AND NOT EXISTS (
                SELECT 1 FROM deliveries WHERE run_id = @runId AND status IN (@pending, @claimed, @retry))
            """, new
            {
                runId, completed = RunStatus.Completed, sending = RunStatus.Sending, now = Clock.Format(time.GetUtcNow()),
                pending = DeliveryStatus.Pending, claimed = DeliveryStatus.Sending, retry = DeliveryStatus.Retry,
            });
        return changed > 0;
    }

    private async Task<Run?> LoadRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>($"SELECT {RunRow.Columns} FROM runs WHERE id = @runId", new { runId });
        return row?.ToRun();
    }

    /// <summary>One call's run, content and tally, shared by its concurrent senders.</summary>
    private sealed class Pass(Run run, Edition edition, RunCopies copies)
    {
        private int _sent, _failed, _retrying, _skipped;
        private string? _alert;
        private string? _awaitingServer;

        public Run Run => run;
        public Edition Edition => edition;
        /// <summary>The run's kinds of copy: its digest per article set, and the bodies of their copies.</summary>
        public RunCopies Copies => copies;
        public int Sent => _sent;
        public int Failed => _failed;
        public int Retrying => _retrying;
        public int Skipped => _skipped;
        /// <summary>The first refusal of Digest itself in this pass (a wrong password, an untrusted certificate).</summary>
        public string? Alert => Volatile.Read(ref _alert);
        public bool Alerted => Alert is not null;

        public void RaiseAlert(string alert) => Interlocked.CompareExchange(ref _alert, alert, null);

        /// <summary>Why no SMTP server could be reached, once one of this pass's copies found none: the pass claims no more.</summary>
        public string? AwaitingServer => Volatile.Read(ref _awaitingServer);

        public void AwaitServer(string outage) => Interlocked.CompareExchange(ref _awaitingServer, outage, null);

        public void Count(string status)
        {
            switch (status)
            {
                case DeliveryStatus.Sent: Interlocked.Increment(ref _sent); break;
                case DeliveryStatus.Failed: Interlocked.Increment(ref _failed); break;
                case DeliveryStatus.Retry: Interlocked.Increment(ref _retrying); break;
                default: Interlocked.Increment(ref _skipped); break;
            }
        }
    }
}

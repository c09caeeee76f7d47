using Dapper;
using Digest.Articles;
using Digest.Editions;
using Digest.Rendering;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Delivery;

/// <summary>What one pass over a run did.</summary>
public sealed record SendReport(long RunId, int Sent, int Failed, int Retrying, int Skipped, bool Completed);

/// <summary>
/// Sends a run to everyone the ledger shows as still owed the digest. Safe to call again at any time (after a
/// crash, from a retry, from two workers at once): the ledger decides who is owed, never the caller.
/// </summary>
public sealed class RunSender(
    Database database,
    DeliveryLedger ledger,
    DigestComposer composer,
    IDigestRenderer renderer,
    MessageFactory messages,
    IMailTransport transport,
    IOptionsMonitor<EditionsOptions> editions,
    IOptions<DeliveryOptions> delivery,
    TimeProvider time,
    ILogger<RunSender> logger)
{
    /// <summary>Transient failures are retried with growing pauses until this long after the first try.</summary>
    public static readonly TimeSpan RetryWindow = TimeSpan.FromDays(3);

    public async Task<SendReport> SendAsync(long runId, CancellationToken cancellationToken = default)
    {
        var run = await LoadRunAsync(runId, cancellationToken);
        if (run is null || run.Status != RunStatus.Sending)
            return new SendReport(runId, 0, 0, 0, 0, Completed: run is not null);

        var edition = editions.CurrentValue.Get(run.Edition);
        IReadOnlyList<Article> articles;
        await using (var connection = await database.OpenAsync(cancellationToken))
            articles = await ArticleStore.ForRunAsync(connection, runId);

        var tally = new Tally();
        while (await ledger.ClaimAsync(runId, delivery.Value.BatchSize, cancellationToken) is { Count: > 0 } batch)
        {
            foreach (var claim in batch)
                await SendOneAsync(run, edition, articles, claim, tally, cancellationToken);
        }

        bool completed = await CompleteIfDoneAsync(runId, cancellationToken);
        logger.LogInformation("Run {RunId} of {Edition}: {Sent} sent, {Failed} failed, {Retrying} to retry, {Skipped} skipped{Done}",
            runId, run.Edition, tally.Sent, tally.Failed, tally.Retrying, tally.Skipped, completed ? "; run complete" : "");
        return new SendReport(runId, tally.Sent, tally.Failed, tally.Retrying, tally.Skipped, completed);
    }

    private async Task SendOneAsync(Run run, Edition edition, IReadOnlyList<Article> articles, DeliveryClaim claim,
        Tally tally, CancellationToken cancellationToken)
    {
        if (claim.SubscriberStatus != SubscriberStatus.Confirmed || claim.SubscriptionStatus != SubscriberStatus.Confirmed)
        {
            // Leaving takes effect at once, even for a run that was already under way.
            await ledger.MarkSkippedAsync(run.Id, claim.SubscriberId, $"subscriber is {claim.SubscriptionStatus ?? claim.SubscriberStatus}", cancellationToken);
            tally.Skipped++;
            return;
        }

        var recipient = new Subscriber(claim.SubscriberId, claim.Email, claim.Name, claim.SubscriberStatus);
        var view = composer.Compose(edition, run.Slot, articles, recipient);
        var rendered = await renderer.RenderAsync(view);
        var envelope = new Envelope(claim.MessageId, recipient, edition.Name, edition.Title, view.Footer.UnsubscribeUrl);
        var message = messages.Build(envelope, view.Subject, rendered);
        try
        {
            string reply = await transport.SendAsync(message, cancellationToken);
            await ledger.MarkSentAsync(run.Id, claim.SubscriberId, reply, cancellationToken);
            tally.Sent++;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(run, claim, SendFailure.Classify(error), tally, cancellationToken);
        }
    }

    private async Task RecordFailureAsync(Run run, DeliveryClaim claim, SendFailure failure, Tally tally, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nextAttempt = now + Backoff(claim.Attempts + 1);
        if (failure.Permanent || nextAttempt - run.CreatedAt > RetryWindow)
        {
            await ledger.MarkFailedAsync(run.Id, claim.SubscriberId, failure.Reply, cancellationToken);
            if (failure.Suppress)
                await ledger.SuppressAsync(claim.SubscriberId, cancellationToken);
            logger.LogWarning("Run {RunId}: {Email} failed permanently: {Reply}{Suppressed}", run.Id, claim.Email, failure.Reply,
                failure.Suppress ? " (address suppressed)" : "");
            tally.Failed++;
            return;
        }
        await ledger.MarkRetryAsync(run.Id, claim.SubscriberId, failure.Reply, nextAttempt, cancellationToken);
        logger.LogInformation("Run {RunId}: {Email} will be retried at {Next:u}: {Reply}", run.Id, claim.Email, nextAttempt, failure.Reply);
        tally.Retrying++;
    }

    /// <summary>1, 2, 4 … minutes, at most 2 hours between tries.</summary>
    public static TimeSpan Backoff(long attempt) =>
        TimeSpan.FromMinutes(Math.Min(120, Math.Pow(2, Math.Max(0, attempt - 1))));

    private async Task<bool> CompleteIfDoneAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        int changed = await connection.ExecuteAsync("""
            UPDATE runs SET status = @completed, completed_at = @now
            WHERE id = @runId AND status = @sending AND NOT EXISTS (
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

    private sealed class Tally
    {
        public int Sent, Failed, Retrying, Skipped;
    }
}

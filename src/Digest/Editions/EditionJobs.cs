using Dapper;
using Digest.Delivery;
using Digest.Storage;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>
/// The jobs Hangfire runs. Arguments are names and IDs only; every job is safe to run twice, because the run
/// (unique per edition and slot) and its ledger are the truth, not the queue.
/// </summary>
public sealed class EditionJobs(
    EditionRunner runner,
    AudienceFreeze audience,
    RunSender sender,
    DeliveryLedger ledger,
    RunReview review,
    ReviewNotice notice,
    Database database,
    IBackgroundJobClient jobs,
    IOptions<DeliveryOptions> delivery,
    ILogger<EditionJobs> logger)
{
    public static string RecurringId(string edition) => $"edition:{edition.ToLowerInvariant()}";

    /// <summary>
    /// The scheduled firing of an edition at a slot (queued by <see cref="EditionScheduler"/>): the run for that
    /// slot, fanned out in batch jobs. The first batches are queued as soon as the run starts; the rest of the
    /// audience is frozen here chunk by chunk, each chunk queued as its batch job once frozen. A retry of this job
    /// (after a crash) queues what is still owed and goes on freezing where the freeze stopped.
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task FireAsync(string edition, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var run = await runner.StartAsync(edition, slot, cancellationToken);
        if (run.Status == RunStatus.Sending)
            await SendOutAsync(run.Id, cancellationToken);
        else if (run.Status == RunStatus.AwaitingApproval)
            await notice.SendDueAsync(cancellationToken);
    }

    /// <summary>
    /// An editor approves a run awaiting approval: it goes out like a run that started sending. Approving it again
    /// (a second click, a second editor) queues nothing; false says it was not this call that approved it.
    /// </summary>
    public async Task<bool> ApproveAsync(long runId, string by, CancellationToken cancellationToken)
    {
        if (!await review.ApproveAsync(runId, by, cancellationToken))
            return false;
        await SendOutAsync(runId, cancellationToken);
        return true;
    }

    /// <summary>Queues the batches of the audience frozen so far, then freezes the rest chunk by chunk, each queued once frozen.</summary>
    private async Task SendOutAsync(long runId, CancellationToken cancellationToken)
    {
        int batches = await FanOutAsync(runId, cancellationToken);
        while (await audience.FreezeNextAsync(runId, cancellationToken) is { } range)
        {
            Enqueue(runId, range);
            batches++;
        }
        logger.LogInformation("Run {RunId}: audience frozen; {Batches} batch jobs queued in all", runId, batches);
    }

    /// <summary>
    /// Queues one batch job per range of the run's still-owed subscribers. Queuing the same run twice costs
    /// nothing but empty batches: each batch sends only what the ledger still owes.
    /// </summary>
    public async Task<int> FanOutAsync(long runId, CancellationToken cancellationToken)
    {
        var ranges = await ledger.OwedRangesAsync(runId, delivery.Value.BatchSize, cancellationToken);
        foreach (var range in ranges)
            Enqueue(runId, range);
        logger.LogInformation("Run {RunId}: {Batches} batch jobs queued", runId, ranges.Count);
        return ranges.Count;
    }

    private void Enqueue(long runId, SubscriberRange range) =>
        jobs.Enqueue<EditionJobs>(job => job.SendBatchAsync(runId, range.First, range.Last, CancellationToken.None));

    /// <summary>One batch: the run's subscribers with IDs from <paramref name="first"/> to <paramref name="last"/>.</summary>
    [AutomaticRetry(Attempts = 3)]
    public Task SendBatchAsync(long runId, long first, long last, CancellationToken cancellationToken) =>
        sender.SendAsync(runId, new SubscriberRange(first, last), cancellationToken);

    /// <summary>Runs an edition at once, outside its schedule, and sends it in this call.</summary>
    public async Task<SendReport?> SendNowAsync(string edition, CancellationToken cancellationToken)
    {
        var run = await runner.StartNowAsync(edition, cancellationToken);
        return run.Status == RunStatus.Sending ? await sender.SendAsync(run.Id, cancellationToken) : null;
    }

    /// <summary>Makes a run's failed recipients owed again and queues their batches.</summary>
    public async Task<int> ResendFailedAsync(long runId, CancellationToken cancellationToken)
    {
        int reopened = await ledger.ReopenFailedAsync(runId, cancellationToken);
        if (reopened > 0)
            await FanOutAsync(runId, cancellationToken);
        return reopened;
    }

    /// <summary>
    /// Sends the rest of every unfinished run: after a restart (in-memory job storage forgot the queued batches;
    /// the ledger did not), and whenever retries fall due. First it decides the runs whose review deadline passed
    /// (those sending anyway are then resumed like any other) and tells editors of runs they were not told of yet:
    /// both live in the store, so a restart loses neither.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task ResumeUnfinishedAsync(CancellationToken cancellationToken)
    {
        await review.SettleOverdueAsync(cancellationToken);
        await notice.SendDueAsync(cancellationToken);
        IReadOnlyList<long> unfinished;
        await using (var connection = await database.OpenAsync(cancellationToken))
            unfinished = (await connection.QueryAsync<long>("SELECT id FROM runs WHERE status = @sending ORDER BY id",
                new { sending = RunStatus.Sending })).ToList();
        // The job runs every minute: whatever falls due within that minute is sent by this call.
        foreach (long runId in unfinished)
            await sender.SendUntilSettledAsync(runId, TimeSpan.FromMinutes(1), cancellationToken);
    }
}

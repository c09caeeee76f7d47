using Dapper;
using Digest.Delivery;
using Digest.Storage;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Digest.Editions;

/// <summary>
/// The jobs Hangfire runs. Arguments are names and IDs only; every job is safe to run twice, because the run
/// (unique per edition and slot) and its ledger are the truth, not the queue.
/// </summary>
public sealed class EditionJobs(
    EditionRunner runner,
    RunSender sender,
    Database database,
    TimeProvider time,
    ILogger<EditionJobs> logger)
{
    public static string RecurringId(string edition) => $"edition:{edition.ToLowerInvariant()}";

    /// <summary>
    /// The scheduled firing of an edition at a slot (queued by <see cref="EditionScheduler"/>): the run for that
    /// slot, then its sending.
    /// </summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task FireAsync(string edition, DateTimeOffset slot, CancellationToken cancellationToken) =>
        await RunAsync(edition, slot, cancellationToken);

    /// <summary>Runs an edition at once, outside its schedule (e.g. <c>send daily --now</c>).</summary>
    public Task<SendReport?> SendNowAsync(string edition, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return RunAsync(edition, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)), cancellationToken);
    }

    /// <summary>Sends the rest of every unfinished run: after a restart, and whenever retries fall due.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task ResumeUnfinishedAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<long> unfinished;
        await using (var connection = await database.OpenAsync(cancellationToken))
            unfinished = (await connection.QueryAsync<long>("SELECT id FROM runs WHERE status = @sending ORDER BY id",
                new { sending = RunStatus.Sending })).ToList();
        foreach (long runId in unfinished)
            await sender.SendAsync(runId, cancellationToken);
    }

    private async Task<SendReport?> RunAsync(string edition, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var run = await runner.StartAsync(edition, slot, cancellationToken);
        if (run.Status != RunStatus.Sending)
        {
            logger.LogDebug("Run {RunId} is {Status}; nothing to send", run.Id, run.Status);
            return null;
        }
        return await sender.SendAsync(run.Id, cancellationToken);
    }
}

using Dapper;
using Digest.Editions;
using Digest.Storage;

namespace Digest.Delivery;

/// <summary>Where a run stands, from its ledger: what operators watch while it sends.</summary>
public sealed record RunProgress(long RunId, string Edition, DateTimeOffset Slot, string Status, int Total, int Sent, int Failed,
    int Retrying, int Skipped, int Pending, double MessagesPerSecond, string? Alert = null)
{
    /// <summary>Finished entries (sent, failed, skipped) as a share of the audience.</summary>
    public double Done => Total == 0 ? 1 : (double)(Sent + Failed + Skipped) / Total;

    /// <summary>Time left at the recent rate; null when nothing is moving.</summary>
    public TimeSpan? Eta => Pending + Retrying == 0 ? TimeSpan.Zero : MessagesPerSecond > 0 ? TimeSpan.FromSeconds((Pending + Retrying) / MessagesPerSecond) : null;

    public string Line() =>
        $"Run {RunId} ({Edition}) {Status}: {Sent}/{Total} sent, {Failed} failed, {Retrying} to retry, {Skipped} skipped, {Pending} pending" +
        $" · {MessagesPerSecond:0.#} msg/s · ETA {(Eta is { } eta ? eta.ToString(@"hh\:mm\:ss") : "—")}" +
        (Alert is null ? "" : $" · alert: {Alert}");
}

/// <summary>Reads runs' progress from the ledger, so every process (web, CLI, workers) sees the same numbers.</summary>
public sealed class RunMonitor(Database database, DeliveryLedger ledger, RunAlerts alerts, TimeProvider time)
{
    /// <summary>The rate is measured over this trailing window.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(30);

    public async Task<RunProgress?> GetAsync(long runId, CancellationToken cancellationToken = default)
    {
        RunRow? row;
        await using (var connection = await database.OpenAsync(cancellationToken))
            row = await connection.QuerySingleOrDefaultAsync<RunRow>($"SELECT {RunRow.Columns} FROM runs WHERE id = @runId", new { runId });
        if (row is null)
            return null;
        var run = row.ToRun();
        var counts = await ledger.CountAsync(runId, cancellationToken);
        int Count(string status) => counts.GetValueOrDefault(status);
        var now = time.GetUtcNow();
        // A young run is measured over its own lifetime, not diluted by a window it has not lived through.
        var window = TimeSpan.FromTicks(Math.Clamp((now - run.CreatedAt).Ticks, TimeSpan.TicksPerSecond, RateWindow.Ticks));
        int recent = run.Status == RunStatus.Sending ? await ledger.SentSinceAsync(runId, now - window, cancellationToken) : 0;
        return new RunProgress(runId, run.Edition, run.Slot, run.Status, counts.Values.Sum(), Count(DeliveryStatus.Sent),
            Count(DeliveryStatus.Failed), Count(DeliveryStatus.Retry), Count(DeliveryStatus.Skipped),
            Count(DeliveryStatus.Pending) + Count(DeliveryStatus.Sending), recent / window.TotalSeconds, await alerts.GetAsync(runId, cancellationToken));
    }

    /// <summary>The most recent runs, newest first.</summary>
    public async Task<IReadOnlyList<RunProgress>> RecentAsync(int limit, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<long> ids;
        await using (var connection = await database.OpenAsync(cancellationToken))
            ids = (await connection.QueryAsync<long>("SELECT id FROM runs ORDER BY id DESC LIMIT @limit", new { limit })).ToList();
        var runs = new List<RunProgress>();
        foreach (long id in ids)
            if (await GetAsync(id, cancellationToken) is { } progress)
                runs.Add(progress);
        return runs;
    }
}

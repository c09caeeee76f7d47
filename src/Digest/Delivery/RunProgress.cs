using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Digest.Editions;
using Digest.Storage;

namespace Digest.Delivery;

/// <summary>Where a run stands, from its ledger: what operators watch while it sends.</summary>
/// <remarks><c>NoMatch</c>: readers skipped because no article of the run is on a topic they chose.</remarks>
public sealed record RunProgress(long RunId, string Edition, DateTimeOffset Slot, string Status, int Total, int Sent, int Failed,
    int Retrying, int Skipped, int Pending, double MessagesPerSecond, string? Alert = null, int NoMatch = 0)
{
    /// <summary>Finished entries (sent, failed, skipped) as a share of the audience.</summary>
    public double Done => Total == 0 ? 1 : (double)(Sent + Failed + Skipped + NoMatch) / Total;

    /// <summary>Time left at the recent rate; null when nothing is moving.</summary>
    public TimeSpan? Eta => Pending + Retrying == 0 ? TimeSpan.Zero : MessagesPerSecond > 0 ? TimeSpan.FromSeconds((Pending + Retrying) / MessagesPerSecond) : null;

    public string Line() =>
        $"Run {RunId} ({Edition}) {Status}: {Sent}/{Total} sent, {Failed} failed, {Retrying} to retry, {Skipped} skipped, " +
        (NoMatch > 0 ? $"{NoMatch} with no article on their topics, " : "") + $"{Pending} pending" +
        $" · {MessagesPerSecond:0.#} msg/s · ETA {(Eta is { } eta ? eta.ToString(@"hh\:mm\:ss") : "—")}" +
        (Alert is null ? "" : $" · alert: {Alert}");
}

/// <summary>Copies of a DeliverAt run waiting for their subscribers' local hour, in one time zone.</summary>
public sealed record HeldCopies(int Copies, DateTimeOffset Until, TimeZoneInfo TimeZone)
{
    /// <summary>"12 held until 2026-12-04 07:00 America/New_York (12:00Z)".</summary>
    public override string ToString() =>
        $"{Copies} held until {LocalTime} {TimeZone.Id} ({Until.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)}Z)";

    public string LocalTime => TimeZoneInfo.ConvertTime(Until, TimeZone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>Reads runs' progress from the ledger, so every process (web, CLI, workers) sees the same numbers.</summary>
public sealed class RunMonitor(Database database, DeliveryLedger ledger, RunAlerts alerts, IOptionsMonitor<EditionsOptions> editions, TimeProvider time)
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
        double rate = run.Status == RunStatus.Sending
            ? await ledger.SentSinceAsync(runId, now - window, cancellationToken) / window.TotalSeconds
            : await OverallRateAsync(runId, Count(DeliveryStatus.Sent), cancellationToken);
        return new RunProgress(runId, run.Edition, run.Slot, run.Status, counts.Values.Sum(), Count(DeliveryStatus.Sent),
            Count(DeliveryStatus.Failed), Count(DeliveryStatus.Retry), Count(DeliveryStatus.Skipped),
            Count(DeliveryStatus.Pending) + Count(DeliveryStatus.Sending), rate, await alerts.GetAsync(runId, cancellationToken),
            Count(DeliveryStatus.NoMatch));
    }

    /// <summary>
    /// A run no longer sending is measured over its whole send, from the first copy sent to the last (at least a
    /// second, so a run sent within one reads as what it sent).
    /// </summary>
    private async Task<double> OverallRateAsync(long runId, int sent, CancellationToken cancellationToken)
    {
        if (sent == 0 || await ledger.SentBetweenAsync(runId, cancellationToken) is not { } span)
            return 0;
        return sent / Math.Max((span.Last - span.First).TotalSeconds, 1);
    }

    /// <summary>
    /// When the run's held copies go out, per subscriber time zone; a subscriber without a known zone of their own
    /// gets the edition's. Empty when nothing is held.
    /// </summary>
    public async Task<IReadOnlyList<HeldCopies>> HeldAsync(long runId, string edition, CancellationToken cancellationToken = default)
    {
        var held = await ledger.HeldAsync(runId, time.GetUtcNow(), cancellationToken);
        if (held.Count == 0)
            return [];
        var editionZone = editions.CurrentValue.TryGetValue(edition, out var options) ? new EditionSchedule(options).TimeZone : TimeZoneInfo.Utc;
        return held
            .Select(row => (Zone: row.TimeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(row.TimeZone, out var own) ? own : editionZone,
                Until: Clock.Parse(row.Until), row.Copies))
            .GroupBy(row => (row.Zone.Id, row.Until))
            .Select(group => new HeldCopies(group.Sum(row => row.Copies), group.Key.Until, group.First().Zone))
            .OrderBy(h => h.Until).ThenBy(h => h.TimeZone.Id, StringComparer.Ordinal)
            .ToList();
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

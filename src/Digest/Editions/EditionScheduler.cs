using Digest.Subscribers;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>One edition's schedule as the scheduler currently follows it.</summary>
public sealed record PlannedEdition(string Edition, string Cron, string TimeZone, string Description, DateTimeOffset? NextSlot);

/// <summary>
/// Queues each edition's run at its slot. Digest keeps time itself rather than through Hangfire's recurring
/// jobs, for three promises: a slot is queued the moment it falls due (not at the next storage poll); after
/// downtime only the latest missed slot runs, once, and only within the edition's catch-up window (Hangfire's
/// misfire handling knows neither the window nor which slots already ran, and in-memory storage forgets it all on
/// restart); and an edit of appsettings.json takes effect at once. Hangfire still executes, retries and shows the
/// runs; the run table (unique per edition and slot) decides what has run.
/// </summary>
public sealed class EditionScheduler(
    IOptionsMonitor<EditionsOptions> editions,
    EditionRunner runner,
    SubscriberStore subscribers,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<EditionScheduler> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private CancellationTokenSource _replan = new();
    private DateTimeOffset _changedAt;
    private IReadOnlyList<PlannedEdition> _planned = [];

    /// <summary>Every edition with the schedule in force and its next slot.</summary>
    public IReadOnlyList<PlannedEdition> Planned => Volatile.Read(ref _planned);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = editions.OnChange(_ => Replan());
        var checkedUntil = time.GetUtcNow();
        await CatchUpAsync(Schedules(editions.CurrentValue), checkedUntil, stoppingToken);

        bool announce = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken replan;
            lock (_gate)
                replan = _replan.Token;
            // Read after taking the token: an edit from here on wakes the wait below and is read on the next turn.
            var plan = Schedules(editions.CurrentValue);
            Publish(plan, checkedUntil);
            if (announce)
                Announce();
            announce = false;

            var next = plan.Select(p => p.Schedule.NextAfter(checkedUntil)).Where(s => s is not null).Min();
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, replan);
            try
            {
                var wait = next is null ? Timeout.InfiniteTimeSpan : next.Value - time.GetUtcNow();
                if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
                {
                    var delay = Task.Delay(wait, time, wake.Token);
                    // The clock may have moved on between reading it and starting the delay, which would then run
                    // long: a slot already due is not waited for.
                    if (next is null || time.GetUtcNow() < next.Value)
                        await delay;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The settings changed: follow the new schedules from the moment of the edit. A slot the edit
                // moved into the past is not run; the edition's next slot is.
                lock (_gate)
                    checkedUntil = _changedAt > checkedUntil ? _changedAt : checkedUntil;
                logger.LogInformation("Edition schedules reloaded from the settings");
                announce = true;
                continue;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var now = time.GetUtcNow();
            foreach (var (name, schedule, options) in plan)
            {
                // Only the latest slot since the last look: a process that slept through several fires once.
                if (schedule.LatestBetween(checkedUntil, now) is { } slot)
                    await FireAsync(name, schedule, options, slot, now, caughtUp: false, stoppingToken);
            }
            checkedUntil = now;
        }
    }

    /// <summary>At start, the latest slot missed while the service was down, if it is inside the catch-up window and has not run.</summary>
    private async Task CatchUpAsync(IReadOnlyList<EditionPlan> plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var (name, schedule, options) in plan)
        {
            var window = options.CatchUpWindow > TimeSpan.Zero ? options.CatchUpWindow : TimeSpan.Zero;
            if (schedule.LatestBetween(now - window, now) is not { } missed)
            {
                await LogDroppedAsync(name, schedule, window, now, cancellationToken);
                continue;
            }
            if (await runner.ExistsAsync(name, missed, cancellationToken))
                continue;
            await FireAsync(name, schedule, options, missed, now, caughtUp: true, cancellationToken);
        }
    }

    /// <summary>The operator learns of a slot missed while the service was down and too old to catch up.</summary>
    private async Task LogDroppedAsync(string edition, EditionSchedule schedule, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Seven days: the longest catch-up window there is; older gaps are history, not a decision taken now.
        if (schedule.LatestBetween(now - TimeSpan.FromDays(7), now - window) is { } dropped
            && !await runner.ExistsAsync(edition, dropped, cancellationToken) && await runner.RanBeforeAsync(edition, dropped, cancellationToken))
            logger.LogWarning("Edition {Edition}: the slot {Slot:u}, missed while the service was down, is dropped: it is {Late} old, beyond " +
                              "Editions:{Edition}:CatchUpWindow ({Window}); raise that setting to catch such gaps up", edition, dropped.ToUniversalTime(),
                              (now - dropped).ToString(@"d\.hh\:mm\:ss"), edition, window);
    }

    private async Task FireAsync(string edition, EditionSchedule schedule, EditionOptions options, DateTimeOffset slot, DateTimeOffset now,
        bool caughtUp, CancellationToken cancellationToken)
    {
        var late = now - slot;
        if (late > options.CatchUpWindow && late > TimeSpan.FromMinutes(1))
        {
            logger.LogWarning("Edition {Edition}: the slot {Slot:u} was missed by {Late} (more than its catch-up window {Window}); it is left out",
                edition, slot, late, options.CatchUpWindow);
            return;
        }
        var utc = slot.ToUniversalTime();
        string jobId = jobs.Enqueue<EditionJobs>(job => job.FireAsync(edition, utc, CancellationToken.None));
        if (caughtUp)
            logger.LogInformation("Edition {Edition}: catching up the slot {Slot:u} missed while the service was down (job {JobId})", edition, utc, jobId);
        else
            logger.LogInformation("Edition {Edition}: slot {Slot:u} is due (job {JobId})", edition, utc, jobId);
        if (options.DeliverAt is { Length: > 0 } deliverAt)
            await ScheduleLocalHoursAsync(new Edition(edition, options), schedule, LocalDelivery.TryParseHour(deliverAt)!.Value, utc, cancellationToken);
    }

    /// <summary>
    /// A local-time edition holds each copy until its subscriber's hour; a send pass is scheduled for each such
    /// hour so copies leave when it arrives, not at the next minutely resume.
    /// </summary>
    private async Task ScheduleLocalHoursAsync(Edition edition, EditionSchedule schedule, TimeOnly hour, DateTimeOffset slot,
        CancellationToken cancellationToken)
    {
        var zones = await subscribers.AudienceTimeZonesAsync(edition.AudienceList, cancellationToken);
        foreach (var due in zones.Select(zone => LocalDelivery.DueAt(slot, hour, zone, schedule.TimeZone)).Distinct().Order())
        {
            jobs.Schedule<EditionJobs>(job => job.ResumeUnfinishedAsync(CancellationToken.None), due);
            logger.LogInformation("Edition {Edition}: copies for {Due:u} held until then", edition.Name, due);
        }
    }

    private void Replan()
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            previous = _replan;
            _replan = new CancellationTokenSource();
            _changedAt = time.GetUtcNow();
        }
        // Not disposed: the loop may be linking to its token this very moment; it holds no timer.
        previous.Cancel();
    }

    private void Publish(IReadOnlyList<EditionPlan> plan, DateTimeOffset after) =>
        Volatile.Write(ref _planned, plan
            .Select(p => new PlannedEdition(p.Name, p.Options.Cron, p.Options.TimeZone, p.Schedule.Description, p.Schedule.NextAfter(after)))
            .ToList());

    private void Announce()
    {
        foreach (var edition in Planned)
            logger.LogInformation("Edition {Edition}: {Schedule}; next run {Next:u}", edition.Edition, edition.Description, edition.NextSlot);
    }

    private static List<EditionPlan> Schedules(EditionsOptions options) =>
        options.Select(pair => new EditionPlan(pair.Key.ToLowerInvariant(), new EditionSchedule(pair.Value), pair.Value)).ToList();

    public override void Dispose()
    {
        lock (_gate)
            _replan.Dispose();
        base.Dispose();
    }

    private sealed record EditionPlan(string Name, EditionSchedule Schedule, EditionOptions Options);
}

namespace Digest.Tests.Editions;

/// <summary>After downtime a missed slot runs once, within the edition's catch-up window; a slot never runs twice.</summary>
public sealed class EditionSchedulerCatchUpTests
{
    private static readonly DateTimeOffset SevenBerlin = new(2026, 11, 24, 7, 0, 0, TimeSpan.FromHours(1));

    private static Task<SchedulerHarness> DailyAtSevenAsync(DateTimeOffset now, string cron = "0 7 * * *") =>
        SchedulerHarness.CreateAsync(now, new Dictionary<string, string?>
        {
            ["Editions:daily:Cron"] = cron,
            ["Editions:daily:TimeZone"] = "Europe/Berlin",
            ["Editions:daily:CatchUpWindow"] = "03:00:00",
        });

    [Fact]
    public async Task Start_AfterMissedSlotWithinWindow_RunsItOnce()
    {
        await using var harness = await DailyAtSevenAsync(SevenBerlin.AddHours(2));

        await harness.StartSchedulerAsync();
        await harness.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal([SevenBerlin], harness.Queued.Slots("daily"));
        Assert.Contains(harness.Logs.Lines, line => line.Contains("catching up the slot 2026-11-24 06:00:00Z missed while the service was down"));
    }

    [Fact]
    public async Task Start_AfterMissedSlotOutsideWindow_LeavesItOut()
    {
        await using var harness = await DailyAtSevenAsync(SevenBerlin.AddHours(4));

        await harness.StartSchedulerAsync();

        Assert.Empty(harness.Queued.Slots("daily"));
    }

    [Fact]
    public async Task Start_AfterManyMissedTicks_RunsOnlyTheLatestOnce()
    {
        // Hourly edition, down from 04:30 to 09:20: five ticks missed, one run.
        await using var harness = await DailyAtSevenAsync(SevenBerlin.AddHours(2).AddMinutes(20), cron: "0 * * * *");

        await harness.StartSchedulerAsync();

        Assert.Equal([SevenBerlin.AddHours(2)], harness.Queued.Slots("daily"));
    }

    [Fact]
    public async Task Start_WhenTheMissedSlotAlreadyRan_DoesNotRunItAgain()
    {
        await using var harness = await DailyAtSevenAsync(SevenBerlin.AddHours(1));
        await harness.Runner.StartAsync("daily", SevenBerlin);

        await harness.StartSchedulerAsync();

        Assert.Empty(harness.Queued.Slots("daily"));
    }

    [Fact]
    public async Task Running_ClockJumpsOverSeveralTicks_QueuesOnlyTheLatest()
    {
        // A suspended machine wakes up five hours later: one run, not five.
        await using var harness = await DailyAtSevenAsync(SevenBerlin.AddMinutes(30), cron: "0 * * * *");
        await harness.StartSchedulerAsync();
        var before = harness.Queued.Slots("daily").Count;

        await harness.AdvanceAsync(TimeSpan.FromHours(5));

        Assert.Equal([SevenBerlin.AddHours(5)], harness.Queued.Slots("daily").Skip(before));
    }

    [Fact]
    public async Task Running_SlotFallsDue_QueuedAtTheSlotItself()
    {
        await using var harness = await DailyAtSevenAsync(SevenBerlin.AddMinutes(-10));
        await harness.StartSchedulerAsync();

        await harness.AdvanceAsync(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        Assert.Empty(harness.Queued.Slots("daily"));
        await harness.AdvanceAsync(TimeSpan.FromMilliseconds(1));

        Assert.Equal([SevenBerlin], harness.Queued.Slots("daily"));
    }
}

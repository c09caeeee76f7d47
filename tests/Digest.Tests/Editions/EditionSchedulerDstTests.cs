namespace Digest.Tests.Editions;

/// <summary>Across the spring and autumn clock changes each edition is queued exactly once per intended local time.</summary>
public sealed class EditionSchedulerDstTests
{
    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<IReadOnlyList<DateTimeOffset>> QueuedSlotsAsync(string zone, string cron, string from, string to)
    {
        await using var harness = await SchedulerHarness.CreateAsync(At(from), new Dictionary<string, string?>
        {
            ["Editions:daily:Cron"] = cron,
            ["Editions:daily:TimeZone"] = zone,
            ["Editions:daily:CatchUpWindow"] = "00:00:00",
        });
        await harness.StartSchedulerAsync();
        await harness.RunUntilAsync(At(to), TimeSpan.FromMinutes(30));
        return harness.Queued.Slots("daily");
    }

    [Fact]
    public async Task Berlin_SpringForward_SkippedHalfPastTwo_RunsOnceAtThree() => Assert.Equal(
        [At("2026-03-28T02:30+01:00"), At("2026-03-29T03:00+02:00"), At("2026-03-30T02:30+02:00")],
        await QueuedSlotsAsync("Europe/Berlin", "30 2 * * *", "2026-03-27T12:00Z", "2026-03-30T12:00Z"));

    [Fact]
    public async Task Berlin_FallBack_RepeatedHalfPastTwo_RunsOnce() => Assert.Equal(
        [At("2026-10-24T02:30+02:00"), At("2026-10-25T02:30+02:00"), At("2026-10-26T02:30+01:00")],
        await QueuedSlotsAsync("Europe/Berlin", "30 2 * * *", "2026-10-23T12:00Z", "2026-10-26T12:00Z"));

    [Fact]
    public async Task Berlin_SevenOClockEdition_StaysAtSevenLocalAcrossBothChanges()
    {
        var spring = await QueuedSlotsAsync("Europe/Berlin", "0 7 * * *", "2026-03-28T00:00Z", "2026-03-30T00:00Z");
        var autumn = await QueuedSlotsAsync("Europe/Berlin", "0 7 * * *", "2026-10-24T00:00Z", "2026-10-26T00:00Z");

        Assert.Equal([At("2026-03-28T07:00+01:00"), At("2026-03-29T07:00+02:00")], spring);
        Assert.Equal([At("2026-10-24T07:00+02:00"), At("2026-10-25T07:00+01:00")], autumn);
    }

    [Fact]
    public async Task NewYork_SpringForward_SkippedHalfPastTwo_RunsOnceAtThree() => Assert.Equal(
        [At("2026-03-07T02:30-05:00"), At("2026-03-08T03:00-04:00"), At("2026-03-09T02:30-04:00")],
        await QueuedSlotsAsync("America/New_York", "30 2 * * *", "2026-03-06T12:00Z", "2026-03-09T12:00Z"));

    [Fact]
    public async Task NewYork_FallBack_RepeatedHalfPastOne_RunsOnce() => Assert.Equal(
        [At("2026-10-31T01:30-04:00"), At("2026-11-01T01:30-04:00"), At("2026-11-02T01:30-05:00")],
        await QueuedSlotsAsync("America/New_York", "30 1 * * *", "2026-10-30T12:00Z", "2026-11-02T12:00Z"));
}

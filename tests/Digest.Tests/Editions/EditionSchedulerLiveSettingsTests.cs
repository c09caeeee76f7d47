namespace Digest.Tests.Editions;

/// <summary>Editing an edition while the service runs moves its schedule at once; an invalid edit is refused and logged.</summary>
public sealed class EditionSchedulerLiveSettingsTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 24, 6, 0, 0, TimeSpan.FromHours(1));

    private static Task<SchedulerHarness> DailyAtSevenAsync() => SchedulerHarness.CreateAsync(Morning, new Dictionary<string, string?>
    {
        ["Editions:daily:Cron"] = "0 7 * * *",
        ["Editions:daily:TimeZone"] = "Europe/Berlin",
    });

    [Fact]
    public async Task Edit_NewCron_IsFollowedAtTheNewTime()
    {
        await using var harness = await DailyAtSevenAsync();
        await harness.StartSchedulerAsync();

        await harness.EditAsync("Editions:daily:Cron", "30 6 * * *", p => p.Description == "every day at 06:30 Europe/Berlin");
        await harness.RunUntilAsync(Morning.AddHours(2), TimeSpan.FromMinutes(10));

        Assert.Equal([Morning.AddMinutes(30)], harness.Queued.Slots("daily"));
    }

    [Fact]
    public async Task Edit_InvalidTimeZone_IsRefusedAndTheLastGoodScheduleKept()
    {
        await using var harness = await DailyAtSevenAsync();
        await harness.StartSchedulerAsync();

        await harness.RefusedEditAsync("Editions:daily:TimeZone", "Europe/Berlinn", "Editions:daily:TimeZone: 'Europe/Berlinn' is not a known IANA time zone");
        await harness.RunUntilAsync(Morning.AddHours(2), TimeSpan.FromMinutes(10));

        Assert.Equal("every day at 07:00 Europe/Berlin", Assert.Single(harness.Scheduler.Planned).Description);
        Assert.Equal([Morning.AddHours(1)], harness.Queued.Slots("daily"));
    }

    [Fact]
    public async Task Edit_ValidAfterInvalid_IsFollowed()
    {
        await using var harness = await DailyAtSevenAsync();
        await harness.StartSchedulerAsync();

        await harness.RefusedEditAsync("Editions:daily:Cron", "not a cron", "Editions:daily:Cron: 'not a cron' is not a five-field cron expression");
        await harness.EditAsync("Editions:daily:Cron", "0 8 * * 1", p => p.Description == "Mondays at 08:00 Europe/Berlin");
    }
}

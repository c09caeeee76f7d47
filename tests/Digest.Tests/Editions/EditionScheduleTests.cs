using Digest.Editions;

namespace Digest.Tests.Editions;

public sealed class EditionScheduleTests
{
    [Fact]
    public void SlotAt_FiringLate_BelongsToTheScheduledLocalTime()
    {
        var schedule = new EditionSchedule(new EditionOptions { Cron = "0 7 * * *", TimeZone = "Europe/Berlin" });

        // 07:00:04 in Berlin (winter, UTC+1): a poll a few seconds late still belongs to the 07:00 slot.
        var slot = schedule.SlotAt(new DateTimeOffset(2026, 1, 12, 6, 0, 4, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 12, 6, 0, 0, TimeSpan.Zero), slot);
    }

    [Fact]
    public void SlotAt_WeeklyEdition_FindsLastMonday()
    {
        var schedule = new EditionSchedule(new EditionOptions { Cron = "0 8 * * 1", TimeZone = "UTC" });

        var slot = schedule.SlotAt(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), slot);
    }
}

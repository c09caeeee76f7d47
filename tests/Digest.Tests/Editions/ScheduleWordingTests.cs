using Digest.Editions;

namespace Digest.Tests.Editions;

public sealed class ScheduleWordingTests
{
    [Theory]
    [InlineData("0 7 * * *", "Europe/Berlin", "every day at 07:00 Europe/Berlin")]
    [InlineData("0 8 * * 1", "Europe/Berlin", "Mondays at 08:00 Europe/Berlin")]
    [InlineData("30 6 * * MON", "UTC", "Mondays at 06:30 UTC")]
    [InlineData("0 7 * * 1-5", "America/New_York", "Monday to Friday at 07:00 America/New_York")]
    [InlineData("0 9 * * 6,0", "UTC", "Saturdays and Sundays at 09:00 UTC")]
    [InlineData("0 7,19 * * *", "UTC", "every day at 07:00 and 19:00 UTC")]
    [InlineData("15 * * * *", "UTC", "every hour at minute 15 UTC")]
    [InlineData("0 6 1 * *", "UTC", "on day 1 of every month at 06:00 UTC")]
    [InlineData("*/15 7-9 * * *", "UTC", "on the schedule '*/15 7-9 * * *' in UTC")]
    public void Description_SaysTheScheduleInPlainWords(string cron, string zone, string expected) =>
        Assert.Equal(expected, new EditionSchedule(new EditionOptions { Cron = cron, TimeZone = zone }).Description);

    [Fact]
    public void NextShown_AcrossSpringForward_ShowsTheNewOffset()
    {
        var schedule = new EditionSchedule(new EditionOptions { Cron = "0 7 * * *", TimeZone = "Europe/Berlin" });

        var shown = schedule.NextShown(new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero), 5);

        Assert.Equal(
            ["Sat 28 Mar 2026 07:00 +01:00", "Sun 29 Mar 2026 07:00 +02:00", "Mon 30 Mar 2026 07:00 +02:00",
             "Tue 31 Mar 2026 07:00 +02:00", "Wed 1 Apr 2026 07:00 +02:00"],
            shown);
    }
}

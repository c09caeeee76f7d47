using System.Text.RegularExpressions;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Editions;

/// <summary>What operators see of edition schedules from the command line.</summary>
public sealed class EditionsCliTests
{
    private static Dictionary<string, string> Settings(TempFolder folder) => new()
    {
        ["Storage:DataDirectory"] = folder.Combine("data"),
        ["Editions:daily:Cron"] = "0 7 * * *",
        ["Editions:daily:TimeZone"] = "Europe/Berlin",
        ["Editions:weekly:Cron"] = "0 8 * * 1",
        ["Editions:weekly:TimeZone"] = "America/New_York",
        ["Editions:weekly:DeliverAt"] = "07:30",
    };

    [Fact]
    public async Task EditionsList_ShowsEachScheduleInPlainWords_AndItsNextFiveRuns()
    {
        using var folder = new TempFolder();

        var result = await DigestProcess.RunAsync(folder.Path, Settings(folder), "editions", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("daily: every day at 07:00 Europe/Berlin (cron '0 7 * * *')", result.Output);
        Assert.Contains("weekly: Mondays at 08:00 America/New_York, delivered at 07:30 in each subscriber's own time zone (cron '0 8 * * 1')", result.Output);
        Assert.Equal(5, Regex.Matches(result.Output, @"^    \w{3} \d{1,2} \w{3} \d{4} 07:00 \+0[12]:00$", RegexOptions.Multiline).Count);
        Assert.Equal(5, Regex.Matches(result.Output, @"^    Mon \d{1,2} \w{3} \d{4} 08:00 -0[45]:00$", RegexOptions.Multiline).Count);
    }
}

using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Hangfire;
using Hangfire.Storage;

namespace Digest.IntegrationTests.Editions;

/// <summary>
/// Editions are timed by Digest's scheduler alone: Hangfire holds no recurring edition job whose misfire handling
/// could fire a slot a second time, and the scheduler follows every configured edition.
/// </summary>
public sealed class SingleTimekeeperTests
{
    [Fact]
    public async Task RunningService_HasNoRecurringEditionJob_AndSchedulesEveryEdition()
    {
        using var host = new DigestTestHost(new Dictionary<string, string?>
        {
            ["Editions:weekly:Cron"] = "0 8 * * 1",
            ["Editions:weekly:TimeZone"] = "America/New_York",
        });
        _ = host.Server;
        var scheduler = host.Get<EditionScheduler>();
        var giveUp = DateTime.UtcNow.AddSeconds(20);
        while (scheduler.Planned.Count < 2 && DateTime.UtcNow < giveUp)
            await Task.Delay(50);

        using var connection = host.Get<JobStorage>().GetConnection();
        // The only recurring jobs are the resume job and the hourly erasure past Subscribers:Retention: no edition's.
        Assert.Equal(["runs:resume", "subscribers:erase-expired"], connection.GetRecurringJobs().Select(job => job.Id).Order());
        Assert.Equal(["daily", "weekly"], scheduler.Planned.Select(p => p.Edition).Order());
        Assert.Equal("Mondays at 08:00 America/New_York", scheduler.Planned.Single(p => p.Edition == "weekly").Description);
    }
}

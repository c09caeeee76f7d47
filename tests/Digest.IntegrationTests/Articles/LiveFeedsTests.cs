using Digest.Articles;
using Digest.Articles.Feeds;
using Digest.IntegrationTests.Infrastructure;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Digest.IntegrationTests.Articles;

/// <summary>Feeds added to or removed from the settings of a running service take effect without a restart.</summary>
public sealed class LiveFeedsTests
{
    [Fact]
    public async Task AFeedAddedWhileRunning_IsPolledIntoArticles_AndOnceRemoved_IsPolledNoMore()
    {
        int requests = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        await using var feed = builder.Build();
        byte[] body = File.ReadAllBytes(ApiHost.FixturePath("feeds", "solar.rss.xml"));
        feed.MapGet("/feed.rss", () =>
        {
            Interlocked.Increment(ref requests);
            return Results.Bytes(body, "application/rss+xml");
        });
        await feed.StartAsync();

        // The feed is served on loopback, which feeds may reach only when the operator allows it.
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning", ["Feeds:AllowPrivateNetworks"] = "true" };
        var live = new LiveSettings(settings);
        using var host = new DigestTestHost(live: live);
        _ = host.Server;
        var storage = host.Get<JobStorage>();
        Assert.False(HasFeedJob(storage), "with no feeds configured there is no feed job");

        live.Replace(new Dictionary<string, string?>(settings)
        {
            ["Feeds:0:Name"] = "harbour",
            ["Feeds:0:Url"] = feed.Urls.Single() + "/feed.rss",
            ["Feeds:0:PollEvery"] = "01:00:00",
        });
        var articles = host.Get<ArticleStore>();
        await WaitUntilAsync(async () => (await articles.ListRecentAsync(10)).Any(a => a.Source == "feed:harbour"),
            "the feed added while running was not polled into an article");
        var status = Assert.Single(await host.Get<FeedPoller>().ListStatusAsync());
        Assert.Null(status.LastError);
        Assert.True(HasFeedJob(storage));

        live.Replace(settings);
        await WaitUntilAsync(() => Task.FromResult(!HasFeedJob(storage)), "the feed job outlived the last feed");
        int before = Volatile.Read(ref requests);
        Assert.Empty(await host.Get<FeedPoller>().PollDueAsync()); // what the job would have done, had it stayed
        Assert.Equal(before, Volatile.Read(ref requests));
        Assert.Equal(0, storage.GetMonitoringApi().FailedCount());
    }

    private static bool HasFeedJob(JobStorage storage)
    {
        using var connection = storage.GetConnection();
        return Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Any(j => j.Id == FeedJobs.RecurringId);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }
}

using System.Net;
using Digest.Articles;
using Digest.Articles.Feeds;
using Digest.IntegrationTests.Infrastructure;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Digest.IntegrationTests.Articles;

/// <summary>The same story from every source at once: the inbox (twice), the API and a feed polled by its Hangfire job.</summary>
public sealed class OneStoryOnceTests
{
    [Fact]
    public async Task TheSameStory_DroppedTwice_PostedAndFoundInAFeed_IsStoredOnce()
    {
        await using var feed = await ServeFeedAsync("solar.rss.xml");
        using var host = ApiHost.Start(new Dictionary<string, string?>
        {
            ["Feeds:AllowPrivateNetworks"] = "true", // the test feed is on loopback
            ["Feeds:0:Name"] = "harbour",
            ["Feeds:0:Url"] = feed.Urls.Single() + "/feed.rss",
            ["Feeds:0:PollEvery"] = "01:00:00",
        });

        await host.DropArticleAsync("solar.txt");
        File.Copy(ApiHost.FixturePath("articles", "solar.txt"), Path.Combine(host.InboxPath, "solar-again.txt"));
        using var client = ApiHost.Client(host);
        var posted = await client.PostAsync("/api/articles", ApiHost.Json("solar.json"));
        host.Get<IRecurringJobManager>().Trigger(FeedJobs.RecurringId);

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        await WaitUntilAsync(() => File.Exists(Path.Combine(host.InboxPath, "processed", "solar-again.txt")), "the second drop was not processed");
        var poller = host.Get<FeedPoller>();
        await WaitUntilAsync(async () => (await poller.ListStatusAsync()).Single().LastSuccessAt is not null, "the feed job did not poll the feed");
        var stored = Assert.Single(await host.Get<ArticleStore>().ListRecentAsync(10));
        // The feed job also polls once at start, so either the inbox or the feed may have been first; the other
        // sources found it stored.
        Assert.Contains(stored.Source, new[] { "inbox:solar.txt", "feed:harbour" });
        if (stored.Source == "inbox:solar.txt")
            Assert.Equal(0, (await poller.ListStatusAsync()).Single().LastNewArticles);
    }

    private static async Task<WebApplication> ServeFeedAsync(string fixture)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0"); // the system's pick, read back from app.Urls
        var app = builder.Build();
        byte[] body = File.ReadAllBytes(ApiHost.FixturePath("feeds", fixture));
        app.MapGet("/feed.rss", () => Results.Bytes(body, "application/rss+xml"));
        await app.StartAsync();
        return app;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }
}

using Digest.Articles;
using Digest.Articles.Feeds;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Articles;

/// <summary>The feed poller against feeds served over HTTP on loopback.</summary>
public sealed class FeedPollerTests
{
    internal static Dictionary<string, string?> Feeds(FeedServer server, params (string Name, string Path)[] feeds)
    {
        // The test server is on loopback, which feeds may reach only when allowed.
        var settings = new Dictionary<string, string?> { ["Feeds:AllowPrivateNetworks"] = "true" };
        for (int i = 0; i < feeds.Length; i++)
        {
            settings[$"Feeds:{i}:Name"] = feeds[i].Name;
            settings[$"Feeds:{i}:Url"] = server.Url(feeds[i].Path);
            settings[$"Feeds:{i}:PollEvery"] = "00:15:00";
            settings[$"Feeds:{i}:Timeout"] = "00:00:30"; // generous: a loaded machine is slow, not failing
        }
        return settings;
    }

    private static FeedPoller Poller(TestEngine engine) => engine.Services.GetRequiredService<FeedPoller>();

    [Fact]
    public async Task PollDue_StoresRssItems_AsHeadlineHighlightsDateLinkAndGuid_AndSkipsAnItemWithoutTitle()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/news.rss", "news.rss.xml");
        await using var engine = await TestEngine.StartAsync(Feeds(server, ("harbour", "/news.rss")));

        var result = Assert.Single(await Poller(engine).PollDueAsync());

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((2, 0, 1), (result.New, result.Duplicates, result.Skipped));
        var stored = (await engine.Articles.ListRecentAsync(10)).OrderBy(a => a.Id).ToList();
        var solar = stored[0];
        Assert.Equal("Harbour City Opens Its First Floating Solar Farm", solar.Content.Headline);
        Assert.Equal(new DateOnly(2025, 8, 9), solar.Content.PublishedOn);
        Assert.Equal("Officials say the panels will cover the water utility\u2019s own power needs for most of the year.", solar.Content.Highlights[1]);
        Assert.Equal(3, solar.Content.Highlights.Count);
        Assert.Equal("https://news.example.org/2025/08/solar-farm", solar.Url);
        Assert.Equal("feed:harbour", solar.Source);

        var buses = stored[1];
        Assert.Equal("Night Buses & Trams Run Later at Weekends", buses.Content.Headline);
        Assert.Equal(new DateOnly(2026, 2, 10), buses.Content.PublishedOn);
        Assert.Equal(["From March, night buses run until 3am on Fridays and Saturdays.", "Trams follow in May!", "The council pays for a trial year."],
            buses.Content.Highlights);
        Assert.Equal(["The transport company will run night buses on six lines.", "Drivers volunteered for the extra shifts."], buses.Content.Body);
        Assert.Equal(server.Url("/2026/02/night-buses"), buses.Url);
    }

    [Fact]
    public async Task PollDue_StoresAtomEntries_UsingTheAlternateLinkAndThePublishedDateWhereGiven()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/gazette.atom", "news.atom.xml", "application/atom+xml");
        await using var engine = await TestEngine.StartAsync(Feeds(server, ("gazette", "/gazette.atom")));

        Assert.Equal(2, Assert.Single(await Poller(engine).PollDueAsync()).New);

        var stored = (await engine.Articles.ListRecentAsync(10)).OrderBy(a => a.Id).ToList();
        Assert.Equal("Новый мост через Волгу открыт для движения", stored[0].Content.Headline);
        Assert.Equal(new DateOnly(2026, 1, 15), stored[0].Content.PublishedOn);
        Assert.Equal(["Мост длиной 1,5 километра соединил два района города.", "Строительство заняло четыре года."], stored[0].Content.Highlights);
        Assert.Equal("https://gazette.example.net/library", stored[1].Url);
        Assert.Equal(new DateOnly(2026, 2, 3), stored[1].Content.PublishedOn);
    }

    [Fact]
    public async Task PollDue_SendsTheValidatorsItWasGiven_AndAnUnchangedFeedStoresNothing()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/news.rss", "news.rss.xml");
        await using var engine = await TestEngine.StartAsync(Feeds(server, ("harbour", "/news.rss")));
        await Poller(engine).PollDueAsync();

        engine.Time.Advance(TimeSpan.FromMinutes(16));
        var again = Assert.Single(await Poller(engine).PollDueAsync());

        Assert.True(again.NotModified);
        var requests = server.RequestsFor("/news.rss");
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].IfNoneMatch);
        Assert.Equal("\"v1\"", requests[1].IfNoneMatch);
        Assert.Equal("Tue, 10 Feb 2026 18:30:00 GMT", requests[1].IfModifiedSince);
        Assert.Equal(2, (await engine.Articles.ListRecentAsync(10)).Count);
    }

    [Fact]
    public async Task PollDue_AFeedPolledEveryMinute_IsPolledByAJobRunThatFiresAMomentEarly_ButNotHalfAMinuteAfterItsPoll()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/news.rss", "news.rss.xml");
        var settings = Feeds(server, ("harbour", "/news.rss"));
        settings["Feeds:0:PollEvery"] = "00:01:00";
        await using var engine = await TestEngine.StartAsync(settings);
        await Poller(engine).PollDueAsync();

        engine.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(await Poller(engine).PollDueAsync());
        // The once-a-minute job fires a few milliseconds before the feed's minute is up.
        engine.Time.Advance(TimeSpan.FromSeconds(40) - TimeSpan.FromMilliseconds(15));
        var onTime = Assert.Single(await Poller(engine).PollDueAsync());

        Assert.True(onTime.Succeeded, onTime.Error);
        Assert.Equal(2, server.RequestsFor("/news.rss").Count);
    }

    [Fact]
    public async Task PollDue_AFeedServedAgainWithANewVersion_RecognisesItsItemsByGuid()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/news.rss", "news.rss.xml");
        await using var engine = await TestEngine.StartAsync(Feeds(server, ("harbour", "/news.rss")));
        await Poller(engine).PollDueAsync();

        server.ServeFixture("/news.rss", "news.rss.xml", etag: "\"v2\"");
        var again = await Poller(engine).PollAsync("harbour");

        Assert.Equal((0, 2), (again.New, again.Duplicates));
        Assert.Equal(2, (await engine.Articles.ListRecentAsync(10)).Count);
    }

    [Fact]
    public async Task PollDue_AFailingOrHangingFeedNeverBlocksTheOthers_IsReported_AndIsRetriedLater()
    {
        await using var server = await FeedServer.StartAsync();
        server.Fail("/broken.rss", 500);
        server.Hang("/slow.rss");
        server.ServeFixture("/news.rss", "news.rss.xml");
        var settings = Feeds(server, ("broken", "/broken.rss"), ("slow", "/slow.rss"), ("harbour", "/news.rss"));
        settings["Feeds:1:Timeout"] = "00:00:01"; // the hanging server's feed gives up soon
        await using var engine = await TestEngine.StartAsync(settings);
        var poller = Poller(engine);

        var results = (await poller.PollDueAsync()).ToDictionary(r => r.Feed);

        Assert.Equal(2, results["harbour"].New);
        Assert.Contains("500", results["broken"].Error);
        Assert.Equal("the server did not answer in time", results["slow"].Error);
        var status = (await poller.ListStatusAsync()).ToDictionary(s => s.Name);
        Assert.Equal(1L, status["broken"].Failures);
        Assert.Contains("500", status["broken"].LastError);
        Assert.Equal(engine.Time.GetUtcNow() + TimeSpan.FromMinutes(1), status["broken"].NextPollAt);
        Assert.Null(status["harbour"].LastError);

        Assert.Empty(await poller.PollDueAsync()); // nothing is due yet

        server.ServeFixture("/broken.rss", "news.atom.xml");
        engine.Time.Advance(TimeSpan.FromMinutes(1));
        var retried = (await poller.PollDueAsync()).ToDictionary(r => r.Feed);

        Assert.Equal(["broken", "slow"], retried.Keys.Order());
        Assert.True(retried["broken"].Succeeded);
        Assert.Equal(2, retried["slow"].NextPollAt.Subtract(engine.Time.GetUtcNow()).TotalMinutes); // the second failure waits twice as long
        Assert.Equal(0L, (await poller.ListStatusAsync()).Single(s => s.Name == "broken").Failures);
    }

    [Theory]
    [InlineData("not-a-feed.html", "not well-formed XML at line 3")]
    [InlineData("entity-expansion.xml", "DTD")]
    public async Task PollDue_ReportsADocumentThatIsNotAFeed_AndStoresNothing(string fixture, string reason)
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/feed", fixture);
        await using var engine = await TestEngine.StartAsync(Feeds(server, ("odd", "/feed")));

        var result = Assert.Single(await Poller(engine).PollDueAsync());

        Assert.False(result.Succeeded);
        Assert.Contains(reason, result.Error);
        Assert.Empty(await engine.Articles.ListRecentAsync(10));
    }

    [Fact]
    public async Task PollDue_AStoryAlreadyDroppedInTheInbox_IsNotStoredAgain_AndLearnsItsFeedAddress()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/news.rss", "news.rss.xml");
        await using var engine = await TestEngine.StartAsync(Feeds(server, ("harbour", "/news.rss")));
        engine.Drop("solar.txt", Fixture.Bytes("repeated-body.txt"));
        engine.Time.Advance(TimeSpan.FromSeconds(3));
        await engine.Inbox.ProcessOnceAsync();

        var result = Assert.Single(await Poller(engine).PollDueAsync());

        Assert.Equal((1, 1), (result.New, result.Duplicates));
        var solar = Assert.Single(await engine.Articles.ListRecentAsync(10), a => a.Content.Headline.Contains("Solar"));
        Assert.Equal("inbox:solar.txt", solar.Source);
        Assert.Equal("https://news.example.org/2025/08/solar-farm", solar.Url);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 8)]
    [InlineData(10, 15)]
    public void RetryAfter_DoublesWithEachFailure_ButNeverWaitsLongerThanTheFeedsInterval(int failures, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), FeedSchedule.RetryAfter(failures, TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public async Task PollDue_ByDefault_RefusesAFeedOnLoopback_AndShowsWhyOnItsHealth()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/news.rss", "news.rss.xml");
        var settings = Feeds(server, ("inward", "/news.rss"));
        settings.Remove("Feeds:AllowPrivateNetworks");
        await using var engine = await TestEngine.StartAsync(settings);

        var result = Assert.Single(await Poller(engine).PollDueAsync());

        Assert.False(result.Succeeded);
        Assert.Empty(server.Requests); // refused before a byte was sent
        Assert.Empty(await engine.Articles.ListRecentAsync(10));
        var health = Assert.Single(await Poller(engine).ListStatusAsync());
        Assert.StartsWith("refused to connect to 127.0.0.1 (127.0.0.1): a loopback, private or link-local address", health.LastError);
        Assert.Contains("Feeds:AllowPrivateNetworks", health.LastError);
    }

    [Fact]
    public async Task PollDue_AFeedThatRedirectsToALoopbackAddress_IsRefusedAtTheRedirect_AndNothingInsideIsFetched()
    {
        await using var feed = await FeedServer.StartAsync();
        await using var inside = await FeedServer.StartAsync();
        inside.ServeFixture("/internal-secret", "news.rss.xml");
        await using var engine = await TestEngine.StartAsync(Feeds(feed, ("redirecting", "/news.rss")));
        // Only loopback is reachable in tests, so the feed's own address is let in by the setting, which the feed's
        // server turns off as it answers: the redirect's connection is then checked on its own, as the redirect of a
        // feed on the internet would be.
        var settings = (IConfigurationRoot)engine.Services.GetRequiredService<IConfiguration>();
        feed.Redirect("/news.rss", inside.Url("/internal-secret"), () =>
        {
            settings["Feeds:AllowPrivateNetworks"] = "false";
            settings.Reload();
        });

        var result = Assert.Single(await Poller(engine).PollDueAsync());

        Assert.Single(feed.RequestsFor("/news.rss"));
        Assert.False(result.Succeeded);
        Assert.Empty(inside.Requests); // refused before a byte was sent
        Assert.Empty(await engine.Articles.ListRecentAsync(10));
        var health = Assert.Single(await Poller(engine).ListStatusAsync());
        Assert.StartsWith("refused to connect to 127.0.0.1 (127.0.0.1): a loopback, private or link-local address", health.LastError);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:2800:220:1::1", false)]
    public void IsInward_TellsTheNetworkDigestRunsInFromTheInternet(string address, bool inward)
    {
        Assert.Equal(inward, FeedNetworkGuard.IsInward(System.Net.IPAddress.Parse(address)));
    }
}

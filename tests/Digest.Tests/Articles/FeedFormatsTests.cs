using Digest.Articles.Feeds;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Articles;

/// <summary>
/// One sample of each format and quirk feeds are published with (Fixtures/feeds/formats), served over HTTP: every
/// item with a title becomes an article, once, with an absolute link.
/// </summary>
public sealed class FeedFormatsTests
{
    public static TheoryData<string, string, string[]> Samples => new()
    {
        { "rss-0.90.rdf", "application/rdf+xml", ["Ferry Timetable Changes for Winter", "Library Extends Opening Hours"] },
        { "rss-0.91-netscape-latin1.xml", "application/rss+xml", ["Câmara aprova nova ciclovia", "Mercado reabre após obras"] },
        { "rss-0.92.xml", "text/xml", ["Episode 12: The Lighthouse Keepers", "Episode 13: Harbour Seals"] },
        { "rss-1.0.rdf", "application/rdf+xml", ["Comet Visible to the Naked Eye Next Week", "Glacier Retreat Measured by Drones"] },
        { "rss-2.0-blank-line-before-declaration.xml", "application/rss+xml", ["Bridge Repairs Finish Early", "School Lunches Go Local"] },
        { "rss-2.0-bom-and-spaces.xml", "application/rss+xml", ["Museum Night Draws Record Crowd"] },
        { "rss-2.0-latin1-undeclared.xml", "application/rss+xml", ["Jürg Müller wins the regatta", "Pão quente às sete"] },
        { "rss-2.0-charset-in-header.xml", "application/rss+xml; charset=windows-1252", ["\u201cQuiet Zones\u201d Come to the Trains"] },
        { "rss-2.0-html-entities.xml", "application/rss+xml", ["Café Owners Win Terrace Case", "R&D Centre Opens … at Last"] },
        { "rss-2.0-title-only.xml", "application/rss+xml", ["Road Closed for the Marathon", "New Bins on Every Street"] },
        { "atom-0.3.xml", "application/atom+xml", ["Allotments Open for Applications", "Swimming Pool Reopens"] },
        { "atom-1.0-xml-base.xml", "application/atom+xml", ["Harbour Wall Repaired", "Rowing Club Wins Regional Cup"] },
        { "json-feed-1.1.json", "application/feed+json", ["Volunteers Plant 500 Trees", "Cycle Lanes Painted Green"] },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task PollDue_EveryTitledItem_IsStoredOnce_WithAnAbsoluteLink(string fixture, string contentType, string[] headlines)
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/feed", Path.Combine("formats", fixture), contentType);
        await using var engine = await TestEngine.StartAsync(FeedPollerTests.Feeds(server, ("sample", "/feed")));
        var poller = engine.Services.GetRequiredService<FeedPoller>();

        var first = Assert.Single(await poller.PollDueAsync());
        server.ServeFixture("/feed", Path.Combine("formats", fixture), contentType, etag: "\"v2\"");
        var again = await poller.PollAsync("sample");

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(headlines.Length, first.New);
        Assert.Equal((0, headlines.Length), (again.New, again.Duplicates));
        var stored = await engine.Articles.ListRecentAsync(50);
        Assert.Equal(headlines.Order(StringComparer.Ordinal), stored.Select(a => a.Content.Headline).Order(StringComparer.Ordinal));
        Assert.All(stored, article => Assert.True(Uri.TryCreate(article.Url, UriKind.Absolute, out var link) && link.Scheme is "http" or "https",
            $"'{article.Content.Headline}' has no absolute link: {article.Url}"));
    }

    [Fact]
    public async Task PollDue_RelativeLinks_AreResolvedAgainstXmlBase_AndTheFeedsAddress()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/atom", Path.Combine("formats", "atom-1.0-xml-base.xml"), "application/atom+xml");
        server.ServeFixture("/json", Path.Combine("formats", "json-feed-1.1.json"), "application/feed+json");
        await using var engine = await TestEngine.StartAsync(FeedPollerTests.Feeds(server, ("atom", "/atom"), ("json", "/json")));

        var results = await engine.Services.GetRequiredService<FeedPoller>().PollDueAsync();

        Assert.All(results, result => Assert.True(result.Succeeded, $"{result.Feed}: {result.Error}"));
        var links = (await engine.Articles.ListRecentAsync(50)).ToDictionary(a => a.Content.Headline, a => a.Url);
        Assert.Equal("https://gazette.example.com/news/harbour-wall", links["Harbour Wall Repaired"]);
        Assert.Equal("https://gazette.example.com/sport/rowing-cup", links["Rowing Club Wins Regional Cup"]);
        Assert.Equal(server.Url("/cycle-lanes"), links["Cycle Lanes Painted Green"]);
    }

    [Fact]
    public async Task PollDue_ATitleOnlyItem_IsAnArticleWithoutHighlights_AndItsLink()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/feed", Path.Combine("formats", "rss-2.0-title-only.xml"));
        await using var engine = await TestEngine.StartAsync(FeedPollerTests.Feeds(server, ("links", "/feed")));

        var result = Assert.Single(await engine.Services.GetRequiredService<FeedPoller>().PollDueAsync());

        Assert.Equal((2, 1), (result.New, result.Skipped)); // the untitled item is the one skipped
        var marathon = Assert.Single(await engine.Articles.ListRecentAsync(50), a => a.Content.Headline == "Road Closed for the Marathon");
        Assert.Empty(marathon.Content.Highlights);
        Assert.Equal("https://links.example.org/marathon", marathon.Url);
    }
}

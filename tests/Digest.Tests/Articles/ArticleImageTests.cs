using System.Text;
using Digest.Articles;
using Digest.Articles.Feeds;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Articles;

/// <summary>
/// An article's picture arrives from every source (an Image: line, the API's JSON, a feed's enclosure, Media RSS, the
/// first image in its HTML), is stored with it, and is only ever an absolute http(s) address.
/// </summary>
public sealed class ArticleImageTests
{
    private static readonly TimeSpan PastSettleTime = TimeSpan.FromSeconds(3);

    [Fact]
    public void Parse_ImageLine_GivesTheArticleItsPictureAndAltText_AndAnImageLineInTheBodyStaysText()
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes("image-line.txt"));

        var article = outcome.Article!;
        Assert.Empty(outcome.Problems);
        Assert.Equal(new ArticleImage("https://img.example.org/ferry.jpg?size=large&crop=1", "The night ferry at the pier, lit up"), article.Image);
        Assert.Equal(["The night ferry sails again from June.", "Tickets cost the same as before."], article.Highlights);
        Assert.Equal("Image: courtesy of the island council.", article.Body[^1]); // below "Rewritten Article" it is the text's own line
    }

    [Fact]
    public void Parse_ImageLineWithoutAltText_GivesAPictureWithoutAlt()
    {
        var article = ArticleParser.Parse("Ferry Returns\nPublished 9 August 2025\nImage:   https://img.example.org/ferry.jpg  \n- It sails in June.").Article!;

        Assert.Equal(new ArticleImage("https://img.example.org/ferry.jpg"), article.Image);
    }

    [Fact]
    public void Parse_TheSeedFormatWithoutAnImageLine_HasNoPicture()
    {
        Assert.Null(ArticleParser.Parse(Fixture.Bytes("basic-sample-shape.txt")).Article!.Image);
    }

    [Theory]
    [InlineData("reject-image-javascript.txt", 3, "'javascript:alert(document.cookie)' is not an absolute http(s) address")]
    [InlineData("reject-image-data.txt", 4, "'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==' is not an absolute http(s) address")]
    public void Parse_RefusesAPictureThatIsNotAWebAddress_NamingTheLine(string fixture, int line, string message)
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes(fixture));

        Assert.Null(outcome.Article);
        var problem = Assert.Single(outcome.Problems);
        Assert.Equal(line, problem.Line);
        Assert.StartsWith($"Image: {message}; write it as 'Image: https://", problem.Message);
    }

    [Fact]
    public async Task ProcessOnce_StoresTheImageLinesPicture_AndRejectsAScriptAddressNamingTheFileAndLine()
    {
        await using var engine = await TestEngine.StartAsync();
        engine.Drop("ferry.txt", Fixture.Bytes("image-line.txt"));
        engine.Drop("trap.txt", Fixture.Bytes("reject-image-javascript.txt"));
        engine.Time.Advance(PastSettleTime);

        Assert.Equal(2, await engine.Inbox.ProcessOnceAsync());

        var stored = Assert.Single(await engine.Articles.ListRecentAsync(10));
        Assert.Equal(new ArticleImage("https://img.example.org/ferry.jpg?size=large&crop=1", "The night ferry at the pier, lit up"), stored.Content.Image);
        Assert.Equal(new ArticleImage("https://img.example.org/ferry.jpg?size=large&crop=1", "The night ferry at the pier, lit up"),
            (await engine.Articles.FindBySlugAsync(stored.Slug))!.Content.Image);
        string note = File.ReadAllText(Path.Combine(engine.Inbox.RejectedPath, "trap.txt.error.txt"));
        Assert.Contains("'trap.txt'", note);
        Assert.Contains("line 3: Image: 'javascript:alert(document.cookie)' is not an absolute http(s) address", note);
    }

    [Fact]
    public void Json_ImageAndImageAlt_GiveTheArticleItsPicture()
    {
        var article = Json("""{"headline": "Ferry", "publishedAt": "2026-01-15", "highlights": ["x"], "image": "https://img.example.org/f.jpg", "imageAlt": "The ferry"}""").Outcome.Article!;

        Assert.Equal(new ArticleImage("https://img.example.org/f.jpg", "The ferry"), article.Image);
    }

    [Theory]
    [InlineData("javascript:alert(1)", "'javascript:alert(1)' is not an absolute http(s) address")]
    [InlineData("data:image/png;base64,AAAA", "'data:image/png;base64,AAAA' is not an absolute http(s) address")]
    [InlineData("img/ferry.jpg", "'img/ferry.jpg' is not an absolute http(s) address")]
    [InlineData("/img/ferry.jpg", "'/img/ferry.jpg' is not an absolute http(s) address")]
    [InlineData("ftp://img.example.org/f.jpg", "'ftp://img.example.org/f.jpg' is not an absolute http(s) address")]
    public void Json_RefusesAPictureThatIsNotAWebAddress_NamingTheFieldAndLine(string image, string message)
    {
        var outcome = Json($$"""
            {"headline": "Ferry", "publishedAt": "2026-01-15", "highlights": ["x"],
             "image": "{{image}}"}
            """).Outcome;

        Assert.Null(outcome.Article);
        var problem = Assert.Single(outcome.Problems);
        Assert.Equal((2, $"image: {message}"), (problem.Line, problem.Message));
    }

    [Fact]
    public void Json_RefusesAnOverLongPictureAddress_SayingHowLong()
    {
        string image = "https://img.example.org/" + new string('a', ArticleImage.MaxUrlChars);

        var problem = Assert.Single(Json($$"""{"headline": "Ferry", "publishedAt": "2026-01-15", "highlights": ["x"], "image": "{{image}}"}""").Outcome.Problems);

        Assert.Equal($"image: the address is {image.Length:N0} characters long, over the limit of 2,000", problem.Message);
    }

    public static TheoryData<string, string?, string?> RssPictures => new()
    {
        { "Enclosure: Harbour Crane Arrives", "https://img.example.org/crane.jpg", null },
        { "Media content: Tram Line Opens", "https://img.example.org/tram.jpg", "The first tram at the depot, at dawn" },
        { "Media thumbnail: Library Roof Repaired", "https://img.example.org/library-thumb.jpg", null },
        // The tracking pixel before it does not count; the relative address is resolved against the feed's.
        { "Inline image: Market Moves Indoors", "https://news.example.org/photos/market.jpg?w=800&h=600", "Stalls under the hall's iron roof" },
        // A script enclosure and a data: image are passed over for the next usable picture.
        { "Unsafe first: Bridge Closed at Night", "https://img.example.org/bridge.jpg", null },
        { "No picture: Podcast Episode 4", null, null },
    };

    [Theory]
    [MemberData(nameof(RssPictures))]
    public void ReadRss_TakesThePictureFromEnclosureMediaRssOrTheFirstImageInTheContent(string title, string? url, string? alt)
    {
        var items = FeedReader.Read(FeedBytes("images.rss.xml"), location: new Uri("https://news.example.org/feed.xml"));

        var item = Assert.Single(items, i => i.Title == title);
        Assert.Equal(url, item.Image?.Url);
        Assert.Equal(alt, item.Image?.Alt);
    }

    [Fact]
    public void ReadAtom_TakesAnImageEnclosureAndTheFirstImageInXhtmlContent_ResolvedAgainstXmlBase()
    {
        var items = FeedReader.Read(FeedBytes("images.atom.xml"), location: new Uri("https://blog.example.org/atom.xml"));

        Assert.Equal(new ArticleImage("https://blog.example.org/images/seals.png"), items[0].Image);
        Assert.Equal(new ArticleImage("https://cdn.example.org/2026/lighthouse.jpg", "Red and white stripes again"), items[1].Image);
    }

    [Fact]
    public void ReadJsonFeed_TakesTheItemsImage_OrTheFirstImageInItsHtml()
    {
        var items = FeedReader.Read(FeedBytes("images.json"), location: new Uri("https://park.example.org/feed.json"));

        Assert.Equal(new ArticleImage("https://park.example.org/img/trees.jpg"), items[0].Image);
        Assert.Equal(new ArticleImage("https://park.example.org/img/pond.jpg", "A clear pond"), items[1].Image);
    }

    [Fact]
    public async Task PollDue_StoresEachFeedItemsPicture_ResolvedAgainstTheFeedsAddress()
    {
        await using var server = await FeedServer.StartAsync();
        server.ServeFixture("/news/feed", Path.Combine("images", "images.rss.xml"));
        await using var engine = await TestEngine.StartAsync(FeedPollerTests.Feeds(server, ("city", "/news/feed")));

        var poll = Assert.Single(await engine.Services.GetRequiredService<FeedPoller>().PollDueAsync());

        Assert.True(poll.Succeeded, poll.Error);
        var stored = (await engine.Articles.ListRecentAsync(10)).ToDictionary(a => a.Content.Headline, a => a.Content.Image);
        Assert.Equal(6, stored.Count);
        Assert.Equal(new ArticleImage("https://img.example.org/tram.jpg", "The first tram at the depot, at dawn"), stored["Media content: Tram Line Opens"]);
        Assert.Equal(new ArticleImage(server.Url("/photos/market.jpg?w=800&h=600"), "Stalls under the hall's iron roof"), stored["Inline image: Market Moves Indoors"]);
        Assert.Null(stored["No picture: Podcast Episode 4"]);
    }

    private static ArticleSubmission Json(string json) => ArticleJson.Parse(Encoding.UTF8.GetBytes(json));

    private static byte[] FeedBytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "feeds", "images", name));
}

using System.Text;
using Digest.Articles;
using Digest.Articles.Feeds;

namespace Digest.Tests.Articles;

/// <summary>Where an article's topics come from (the inbox format's Topics line, the API's JSON, feed categories) and how bad ones are refused.</summary>
public sealed class ArticleTopicsTests
{
    [Fact]
    public void Parse_TopicsLine_BecomesTrimmedLowerCaseTopicsWithoutRepeats()
    {
        var article = ArticleParser.Parse(Fixture.Bytes("topics-line.txt")).Article!;

        Assert.Equal(["transport", "night life"], article.Topics);
        Assert.Equal("Night Trains Return to the Northern Line", article.Headline);
        Assert.Equal(["Sleeper trains run again from September."], article.Highlights);
        Assert.DoesNotContain(article.Body, p => p.Contains("Topics", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SeedFormatWithoutTopicsLine_ReadsAsBefore_WithNoTopics()
    {
        string seed = Encoding.UTF8.GetString(Fixture.Bytes("basic-sample-shape.txt"));
        string[] lines = seed.Split('\n');
        string withTopics = string.Join('\n', [lines[0], lines[1], "Topics: Shipping", .. lines[2..]]);

        var plain = ArticleParser.Parse(seed).Article!;
        var tagged = ArticleParser.Parse(withTopics).Article!;

        Assert.Empty(plain.Topics);
        Assert.Equal(["shipping"], tagged.Topics);
        Assert.Equal((plain.Headline, plain.PublishedOn), (tagged.Headline, tagged.PublishedOn));
        Assert.Equal(plain.Highlights, tagged.Highlights);
        Assert.Equal(plain.Body, tagged.Body);
        Assert.Equal(plain.Analysis, tagged.Analysis);
        Assert.Equal(ArticleKeys.ContentKey(plain), ArticleKeys.ContentKey(tagged)); // topics never make a story new
    }

    [Fact]
    public void Parse_TopicTooLong_IsRefusedNamingTheLineAndTheTopic()
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes("reject-topics-too-long.txt"));

        Assert.Null(outcome.Article);
        var problem = Assert.Single(outcome.Problems);
        Assert.Equal(3, problem.Line);
        Assert.StartsWith("Topics: the topic 'a topic that is much", problem.Message);
        Assert.Contains("over the limit of 40", problem.Message);
    }

    [Fact]
    public void Json_TopicsArray_BecomesTopics()
    {
        var article = ArticleJson.Parse(Encoding.UTF8.GetBytes("""
            {"headline": "Night Trains Return", "publishedAt": "2025-08-09", "highlights": ["One."], "topics": ["Transport", " travel "]}
            """)).Outcome.Article!;

        Assert.Equal(["transport", "travel"], article.Topics);
    }

    [Theory]
    [InlineData("""["a","b","c","d","e","f","g","h","i","j","k"]""", "topics: 11 topics, over the limit of 10")]
    [InlineData("""["fine", "bell\u0007here"]""", "topics: the topic 'bell\u0007here' holds a comma or a control character")]
    [InlineData("""[1, 2]""", "topics: must be an array of strings")]
    public void Json_BadTopics_AreRefusedNamingTheFieldAndLine(string topics, string expected)
    {
        var outcome = ArticleJson.Parse(Encoding.UTF8.GetBytes(
            "{\"headline\": \"A\", \"publishedAt\": \"2026-01-01\",\n \"highlights\": [\"x\"],\n \"topics\": " + topics + "}")).Outcome;

        var problem = Assert.Single(outcome.Problems);
        Assert.StartsWith(expected, problem.Message);
        Assert.Equal(3, problem.Line);
    }

    [Fact]
    public void Feed_RssCategories_BecomeTopics_LeavingOutWhatCannotBeOne()
    {
        var items = FeedReader.Read(File.ReadAllBytes(FeedFixture("rss-categories.xml")));
        var feed = new FeedSource { Name = "harbour", Url = "https://harbour.example.net/rss" };

        var tagged = FeedArticles.From(items[0], feed, new DateOnly(2026, 3, 16)).Content!;
        var untagged = FeedArticles.From(items[1], feed, new DateOnly(2026, 3, 16)).Content!;

        Assert.Equal(["transport", "energy", "harbour"], tagged.Topics);
        Assert.Empty(untagged.Topics);
    }

    [Fact]
    public void Feed_AtomCategoryTerms_BecomeTopics()
    {
        var item = Assert.Single(FeedReader.Read(File.ReadAllBytes(FeedFixture("atom-categories.xml"))));

        var article = FeedArticles.From(item, new FeedSource { Name = "grid", Url = "https://grid.example.net/atom" }, new DateOnly(2026, 3, 15)).Content!;

        Assert.Equal(["energy", "climate"], article.Topics);
    }

    private static string FeedFixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "feeds", "topics", name);
}

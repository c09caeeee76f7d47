using Digest.Articles;

namespace Digest.Tests.Articles;

public sealed class ArticleStoreTests
{
    private static ArticleContent Story(string fixture) => ArticleParser.Parse(Fixture.Bytes(fixture)).Article!;

    [Fact]
    public async Task Add_RecognisesAFeedItemByItsGuid_EvenWhenItsTextWasEdited()
    {
        await using var engine = await TestEngine.StartAsync();
        var story = Story("headline-differs.txt");
        var first = await engine.Articles.AddAsync(story, new ArticleOrigin("feed:a", "https://a.example/1", "urn:story:1"));

        var again = await engine.Articles.AddAsync(story with { Headline = "Storm Closes Coastal Road (updated)" },
            new ArticleOrigin("feed:a", "https://a.example/1?v=2", "urn:story:1"));

        Assert.Equal((first.Id, true, "feed id"), (again.Id, again.Duplicate, again.MatchedBy));
        Assert.Contains($"a duplicate of article {first.Id}", again.Describe());
    }

    [Fact]
    public async Task Add_RecognisesTheSameStoryByContent_AndTheFirstCopyLearnsItsAddress()
    {
        await using var engine = await TestEngine.StartAsync();
        var story = Story("non-latin.txt");
        var dropped = await engine.Articles.AddAsync(story, new ArticleOrigin("inbox:most.txt"));

        var fromFeed = await engine.Articles.AddAsync(story, new ArticleOrigin("feed:gazette", "https://gazette.example.net/most", "urn:uuid:1"));
        var byAddress = await engine.Articles.AddAsync(story with { Highlights = ["edited"] }, new ArticleOrigin("api", "https://gazette.example.net/most"));

        Assert.Equal((dropped.Id, "content"), (fromFeed.Id, fromFeed.MatchedBy));
        Assert.Equal((dropped.Id, "url"), (byAddress.Id, byAddress.MatchedBy));
        Assert.Equal("https://gazette.example.net/most", Assert.Single(await engine.Articles.ListRecentAsync(10)).Url);
    }

    [Fact]
    public async Task Add_TwoStoriesWithTheSameHeadlineAndDate_GetDistinctSlugs()
    {
        await using var engine = await TestEngine.StartAsync();
        var story = Story("headline-differs.txt");

        var first = await engine.Articles.AddAsync(story, new ArticleOrigin("inbox:a.txt"));
        var second = await engine.Articles.AddAsync(story with { Highlights = ["A different story under the same title."] }, new ArticleOrigin("inbox:b.txt"));

        Assert.False(second.Duplicate);
        Assert.StartsWith(first.Slug + "-", second.Slug);
    }

    [Fact]
    public async Task Add_TheSameStoryFromManyWritersAtOnce_StoresItOnce_AndEveryoneGetsItsId()
    {
        await using var engine = await TestEngine.StartAsync();
        var story = Story("repeated-body.txt");

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => engine.Articles.AddAsync(story, new ArticleOrigin($"writer-{i}")))));

        Assert.Single(results, r => !r.Duplicate);
        Assert.Single(results.Select(r => r.Id).Distinct());
    }
}

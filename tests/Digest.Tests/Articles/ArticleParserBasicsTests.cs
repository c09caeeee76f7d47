using Digest.Articles;

namespace Digest.Tests.Articles;

public sealed class ArticleParserBasicsTests
{
    [Fact]
    public void Parse_SampleShape_ReadsTitleDateHighlightsBodyAndAnalysis()
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes("basic-sample-shape.txt"));

        var article = Assert.IsType<ArticleContent>(outcome.Article);
        Assert.Equal("Port Opens New Container Terminal Three Months Late", article.Headline);
        Assert.Equal(new DateOnly(2026, 1, 28), article.PublishedOn);
        Assert.Equal(
            ["The terminal opens to ships in May instead of February.", "Storm damage forced extra work on the quay wall.",
             "Shipping lines say their summer plans are unchanged."],
            article.Highlights);
        Assert.StartsWith("If the terminal opens in May", Assert.Single(article.Analysis));
    }

    [Fact]
    public void Parse_IgnoresLoneDashBullet()
    {
        var article = ArticleParser.Parse(Fixture.Bytes("basic-sample-shape.txt")).Article!;

        Assert.DoesNotContain(article.Highlights, h => h.Length == 0);
        Assert.Equal(3, article.Highlights.Count);
    }

    [Fact]
    public void Parse_BodyRepeatedAfterAnalysis_KeepsOneCopy()
    {
        var article = ArticleParser.Parse(Fixture.Bytes("basic-sample-shape.txt")).Article!;

        Assert.Equal(5, article.Body.Count);
        Assert.Single(article.Body, p => p.StartsWith("Harbour authorities", StringComparison.Ordinal));
        Assert.Contains("“unavoidable but affordable”", article.Body[2]);
        Assert.DoesNotContain(article.Body, p => p.StartsWith("Headline:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Published 9 August 2025", 2025, 8, 9)]
    [InlineData("Published: January 28, 2026", 2026, 1, 28)]
    [InlineData("Published 2026-01-15", 2026, 1, 15)]
    [InlineData("Published: 2026-01-15T23:30:00+01:00", 2026, 1, 15)]
    public void Parse_ReadsEveryPublishedDateForm(string line, int year, int month, int day)
    {
        var article = ArticleParser.Parse($"A Headline\n{line}\nHighlights\n- One point.\n").Article;

        Assert.Equal(new DateOnly(year, month, day), article?.PublishedOn);
    }

    [Fact]
    public void Parse_NoHighlights_IsUsableAndLeadComesFromBody()
    {
        var article = ArticleParser.Parse(Fixture.Bytes("basic-no-highlights.txt")).Article!;

        Assert.Empty(article.Highlights);
        Assert.StartsWith("Harbour authorities", article.Lead);
    }

    [Theory]
    [InlineData("basic-bad-date.txt", 2, "cannot read the date 'sometime last week'")]
    [InlineData("basic-binary.bin", 3, "binary content")]
    [InlineData("basic-invalid-utf8.txt", 4, "invalid UTF-8")]
    public void Parse_BadFile_IsRejectedWithLineAndReason(string fixture, int line, string reason)
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes(fixture));

        Assert.Null(outcome.Article);
        var problem = Assert.Single(outcome.Problems);
        Assert.Equal(line, problem.Line);
        Assert.Contains(reason, problem.Message);
    }

    [Fact]
    public void Parse_EmptyFile_SaysItIsEmpty()
    {
        var outcome = ArticleParser.Parse("\r\n  \n"u8.ToArray());

        Assert.Equal("the file is empty", Assert.Single(outcome.Problems).Message);
    }

    [Fact]
    public void Parse_OverTheSizeLimit_IsRejectedBeforeReading()
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes("basic-sample-shape.txt"), maxBytes: 100);

        Assert.Contains("over the limit of 100 bytes", Assert.Single(outcome.Problems).Message);
    }
}

using Digest.Articles;

namespace Digest.Tests.Articles;

public sealed class ArticleParserTests
{
    private static ArticleContent Parsed(string fixture)
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes(fixture));
        Assert.True(outcome.Article is not null, $"{fixture}: {string.Join("; ", outcome.Problems)}");
        return outcome.Article;
    }

    private static ArticleProblem SingleProblem(string fixture)
    {
        var outcome = ArticleParser.Parse(Fixture.Bytes(fixture));
        Assert.Null(outcome.Article);
        return Assert.Single(outcome.Problems);
    }

    [Fact]
    public void Parse_KeepsOneCopyOfABodyRepeatedTwice_AndIgnoresLoneDashSeparators()
    {
        var article = Parsed("repeated-body.txt");

        Assert.Equal("Harbour City Opens Its First Floating Solar Farm", article.Headline);
        Assert.Equal(new DateOnly(2025, 8, 9), article.PublishedOn);
        Assert.Equal(3, article.Highlights.Count);
        Assert.DoesNotContain(article.Highlights, string.IsNullOrWhiteSpace);
        Assert.Equal(5, article.Body.Count);
        Assert.Single(article.Body, p => p.StartsWith("Harbour City switched on", StringComparison.Ordinal));
        Assert.Equal("A Reservoir Put Back to Work", article.Body[1]);
        var analysis = Assert.Single(article.Analysis);
        Assert.StartsWith("If the array performs", analysis);
    }

    [Fact]
    public void Parse_TakesCrlfBomAndTypographicQuotes_AndPublishedWithColon()
    {
        var article = Parsed("crlf-bom-typographic.txt");

        Assert.Equal("Council\u2019s \u201cGreen Budget\u201d Passes After Late-Night Vote", article.Headline);
        Assert.Equal(new DateOnly(2026, 1, 28), article.PublishedOn);
        Assert.Equal(2, article.Highlights.Count);
        Assert.DoesNotContain(article.Highlights.Concat(article.Body), s => s.Contains('\r') || s.Contains('\uFEFF'));
        Assert.Single(article.Body);
        Assert.Single(article.Analysis); // "What this might mean" is the other closing heading
    }

    [Fact]
    public void Parse_KeepsNonLatinText_AndMakesASlugInItsScript()
    {
        var article = Parsed("non-latin.txt");

        Assert.Equal("Новый мост через Волгу открыт для движения", article.Headline);
        Assert.Equal(new DateOnly(2026, 1, 15), article.PublishedOn);
        Assert.Equal("2026-01-15-новый-мост-через-волгу-открыт-для-движения", ArticleKeys.Slug(article));
    }

    [Theory]
    [InlineData("9 August 2025", 2025, 8, 9)]
    [InlineData("August 9, 2025", 2025, 8, 9)]
    [InlineData(": January 28, 2026", 2026, 1, 28)]
    [InlineData("2026-01-15", 2026, 1, 15)]
    [InlineData("2026-01-15T08:30:00Z", 2026, 1, 15)]
    [InlineData("Thursday, 15 January 2026", 2026, 1, 15)]
    public void Parse_ReadsEveryPublishedDateForm(string written, int year, int month, int day)
    {
        var outcome = ArticleParser.Parse($"A Headline\nPublished {written}\nHighlights\n- One thing happened.\n");

        Assert.Equal(new DateOnly(year, month, day), outcome.Article?.PublishedOn);
    }

    [Fact]
    public void Parse_KeepsTheCalendarDateAnIsoDateTimeWasWrittenIn()
    {
        // 23:30 in New York is already the next day in UTC; the writer meant 1 March.
        Assert.Equal(new DateOnly(2026, 3, 1), Parsed("iso-datetime.txt").PublishedOn);
    }

    [Fact]
    public void Parse_UsesTheTitleAsHeadline_WhenTheHeadlineLineDiffers_AndKeepsThatLineOutOfTheBody()
    {
        var article = Parsed("headline-differs.txt");

        Assert.Equal("Storm Closes Coastal Road", article.Headline);
        Assert.DoesNotContain(article.Body, p => p.Contains("Headline", StringComparison.OrdinalIgnoreCase));
        Assert.Single(article.Body);
    }

    [Fact]
    public void Parse_AcceptsAnArticleWithoutHighlights_AndItsLeadIsTheFirstRealParagraph()
    {
        var article = Parsed("no-highlights.txt");

        Assert.Empty(article.Highlights);
        Assert.StartsWith("The central library will stay open", article.Lead);
    }

    [Fact]
    public void Parse_KeepsManyHighlightsInOrder()
    {
        var article = Parsed("many-highlights.txt");

        Assert.Equal(40, article.Highlights.Count);
        Assert.StartsWith("Highlight number 1 ", article.Highlights[0]);
        Assert.StartsWith("Highlight number 40 ", article.Highlights[^1]);
        Assert.Single(article.Body);
    }

    [Theory]
    [InlineData("reject-empty.txt", 0, "empty")]
    [InlineData("reject-blank-lines.txt", 0, "empty")]
    [InlineData("reject-binary.txt", 3, "binary")]
    [InlineData("reject-invalid-utf8.txt", 4, "invalid UTF-8")]
    [InlineData("reject-no-headline.txt", 1, "no headline")]
    [InlineData("reject-bad-date.txt", 2, "cannot read the date 'the ninth of Augtober'")]
    [InlineData("reject-no-date.txt", 2, "no 'Published' line")]
    public void Parse_RejectsWithTheLineThatSaysWhy(string fixture, int line, string message)
    {
        var problem = SingleProblem(fixture);

        Assert.Equal(line, problem.Line);
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void Parse_RejectsInputOverTheSizeLimit_NamingBothSizes()
    {
        byte[] bytes = Fixture.Bytes("repeated-body.txt");

        var outcome = ArticleParser.Parse(bytes, maxBytes: 1000);

        Assert.Null(outcome.Article);
        Assert.Contains($"{bytes.Length:N0} bytes, over the limit of 1,000 bytes", Assert.Single(outcome.Problems).Message);
    }

    [Fact]
    public void Parse_TakesAHeadlineThatBeginsWithTheWordPublished()
    {
        var article = ArticleParser.Parse("Published Authors Gather in Paris\nPublished 2026-02-01\n- A book fair opened.\n").Article;

        Assert.Equal("Published Authors Gather in Paris", article?.Headline);
        Assert.Equal(new DateOnly(2026, 2, 1), article?.PublishedOn);
    }

    [Fact]
    public void ContentKey_IsTheSameForTheSameStoryWrittenWithDifferentQuotesCaseAndSpacing()
    {
        var typographic = Parsed("crlf-bom-typographic.txt");
        var plain = typographic with
        {
            Headline = "council's \"green budget\"   passes after late-night vote",
            Highlights = typographic.Highlights.Select(h => h.Replace('\u201c', '"').Replace('\u201d', '"').ToUpperInvariant()).ToList(),
        };

        Assert.Equal(ArticleKeys.ContentKey(typographic), ArticleKeys.ContentKey(plain));
    }
}

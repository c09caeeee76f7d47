using System.Text;
using Digest.Articles;

namespace Digest.Tests.Articles;

public sealed class ArticleJsonTests
{
    private static ArticleSubmission Parse(string json) => ArticleJson.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Parse_ReadsEveryField_AndABodyStringAsOneParagraphPerLine()
    {
        var submission = Parse("""
            {"headline": " Night Trains Return ", "publishedAt": "9 August 2025", "highlights": ["One.", " ", "Two."],
             "body": "First paragraph.\n\nSecond paragraph.", "url": "https://news.example.org/trains", "source": "wire"}
            """);

        var article = submission.Outcome.Article!;
        Assert.Equal("Night Trains Return", article.Headline);
        Assert.Equal(new DateOnly(2025, 8, 9), article.PublishedOn);
        Assert.Equal(["One.", "Two."], article.Highlights);
        Assert.Equal(["First paragraph.", "Second paragraph."], article.Body);
        Assert.Equal(("https://news.example.org/trains", "wire"), (submission.Url, submission.Source));
    }

    [Theory]
    [InlineData("""{"headline": "A\u0000B", "publishedAt": "2026-01-01", "highlights": ["x"]}""", "headline")]
    [InlineData("""{"headline": "A", "publishedAt": "2026-01-01", "highlights": ["\ud800 half a pair"]}""", "highlights")]
    public void Parse_RefusesTextNoFileCouldHold_NamingTheField(string json, string field)
    {
        var problem = Assert.Single(Parse(json).Outcome.Problems);

        Assert.StartsWith($"{field}: contains a NUL character or a broken", problem.Message);
        Assert.Equal(1, problem.Line);
    }

    [Theory]
    [InlineData("""{"headline": 7, "publishedAt": "2026-01-01"}""", "headline: must be a string")]
    [InlineData("""{"headline": "A", "publishedAt": "2026-01-01", "highlights": ["x", 42]}""", "highlights: must be an array of strings")]
    [InlineData("""{"headline": "A", "publishedAt": "2026-01-01", "body": {"text": "x"}}""", "body: must be a string, or an array of paragraph strings")]
    public void Parse_NamesTheFieldHoldingAValueOfTheWrongType(string json, string message)
    {
        Assert.Equal(message, Assert.Single(Parse(json).Outcome.Problems).Message);
    }

    [Fact]
    public void Parse_TakesAHeadlineInAnyScript_WrittenWithEscapes()
    {
        Assert.Equal("Мост 🌉", Parse("""{"headline": "\u041c\u043e\u0441\u0442 \ud83c\udf09", "publishedAt": "2026-01-15", "highlights": ["x"]}""").Outcome.Article?.Headline);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Digest.IntegrationTests.Email;

/// <summary>An outside judge: Debian's SpamAssassin, local rules only (no network), scores what the app sends.</summary>
public sealed partial class SpamAssassinTests
{
    private const string SpamAssassin = "/usr/bin/spamassassin";

    [Fact]
    public async Task SpamAssassin_RealisticDigest_ScoresAtMostOne()
    {
        var (score, rules) = await ScoreAsync(await SentDigest.SendAsync());

        Assert.True(score <= 1.0, $"SpamAssassin scored the digest {score} (at most 1.0 allowed); rules hit: {rules}");
    }

    [Fact]
    public async Task SpamAssassin_DigestWithAnEditorsNoteSectionsAndPictures_ScoresAtMostZero()
    {
        const string note = """
            **Good morning.** This week we start a series on the city's new tram line: tell us what you would like
            to know in [our reader survey](https://digest.example.org/survey).

            - the route and the stops
            - what changes for buses
            """;
        var sections = new Dictionary<string, string?>
        {
            ["Editions:daily:Sections:By"] = "Topic",
            ["Editions:daily:Sections:Order:0"] = "Transport",
            ["Editions:daily:Sections:Order:1"] = "City life",
        };
        byte[] eml = await SentDigest.SendAsync(sections, note: note, moreArticles: ["images-ferry.txt", "images-market.txt"]);

        var (score, rules) = await ScoreAsync(eml);

        string html = MimeKit.MimeMessage.Load(new MemoryStream(eml)).HtmlBody!;
        Assert.Contains("<strong>Good morning.</strong>", html);
        Assert.Equal(2, Regex.Matches(html, "<img src=\"https://images.example.org/").Count);
        // The editor's sections in their order, then the articles with no topic.
        int[] headings = [html.IndexOf("uppercase;\">Transport</h2>"), html.IndexOf("uppercase;\">City life</h2>"), html.IndexOf("uppercase;\">Other news</h2>")];
        Assert.True(headings[0] >= 0 && headings[0] < headings[1] && headings[1] < headings[2], $"section headings at {string.Join(", ", headings)}");
        Assert.True(score <= 0.0, $"SpamAssassin scored the digest with a note, sections and pictures {score} (at most 0 allowed); rules hit: {rules}");
    }

    private static async Task<(double Score, string Rules)> ScoreAsync(byte[] eml)
    {
        var result = await ExternalTool.RunAsync(SpamAssassin, ["-L", "-t"], eml);

        var status = SpamStatus().Match(result.Output);
        Assert.True(status.Success, $"spamassassin gave no X-Spam-Status (exit {result.ExitCode}): {result.Error}");
        double score = double.Parse(status.Groups["score"].Value, CultureInfo.InvariantCulture);
        return (score, Regex.Replace(status.Groups["tests"].Value, @"\s+", ""));
    }

    [GeneratedRegex(@"^X-Spam-Status: \w+, score=(?<score>-?[\d.]+) required=[\d.]+ tests=(?<tests>[^\n]*(\n[ \t][^\n]*)*)", RegexOptions.Multiline)]
    private static partial Regex SpamStatus();
}

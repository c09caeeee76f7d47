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
        byte[] eml = await SentDigest.SendAsync();

        var result = await ExternalTool.RunAsync(SpamAssassin, ["-L", "-t"], eml);

        var status = SpamStatus().Match(result.Output);
        Assert.True(status.Success, $"spamassassin gave no X-Spam-Status (exit {result.ExitCode}): {result.Error}");
        double score = double.Parse(status.Groups["score"].Value, CultureInfo.InvariantCulture);
        string rules = Regex.Replace(status.Groups["tests"].Value, @"\s+", "");
        Assert.True(score <= 1.0, $"SpamAssassin scored the digest {score} (at most 1.0 allowed); rules hit: {rules}");
    }

    [GeneratedRegex(@"^X-Spam-Status: \w+, score=(?<score>-?[\d.]+) required=[\d.]+ tests=(?<tests>[^\n]*(\n[ \t][^\n]*)*)", RegexOptions.Multiline)]
    private static partial Regex SpamStatus();
}

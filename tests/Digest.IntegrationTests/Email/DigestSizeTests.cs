using System.Text;
using System.Text.RegularExpressions;
using Digest.Articles;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using MimeKit;

namespace Digest.IntegrationTests.Email;

/// <summary>A digest as a mail client sees it when far more arrived than one email can hold.</summary>
public sealed class DigestSizeTests
{
    /// <summary>Gmail clips a message whose HTML is over about 102 KB.</summary>
    private const int ClipBytes = 100 * 1024;

    [Fact]
    public async Task Send_FiveThousandNewArticles_HtmlStaysUnder100KB_WithBoundedLinksAndTheRestInTheArchive()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        _ = host.Server;
        await host.Get<ArticleStore>().AddManyAsync(Enumerable.Range(1, 5000).Select(i => (Story(i), new ArticleOrigin("feed:wire"))));
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana Lima", ["daily"]);

        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        Assert.Equal((1, 0, 0), (report!.Sent, report.Failed, report.Retrying));
        var message = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(30))).Message;
        string html = message.HtmlBody ?? "";
        string text = message.TextBody ?? "";
        Assert.InRange(Encoding.UTF8.GetByteCount(html), 30_000, ClipBytes);
        // MaxArticles (20) in full, each ending in a link that names its story, never a bare "Read more" ...
        Assert.Equal(20, Regex.Matches(html, ">Read: Story \\d+ of the day").Count);
        Assert.DoesNotContain("Read more", html);
        // ... at most MaxHighlights (5) of each story's 12 highlights ...
        Assert.Contains("Highlight 5 of story 1.", html);
        Assert.DoesNotContain("Highlight 6 of story 1.", html);
        // ... MaxLinks (50) more as links, and the rest counted, pointing at the run's archive page.
        Assert.Equal(50, Regex.Matches(html, "<li style=\"margin:0 0 6px 0;\"><a href=").Count);
        string archive = $"https://digest.example.org/archive/{report.RunId}";
        Assert.Contains($"<a href=\"{archive}\" style=\"color:#1d4ed8;\">And 4930 more: see them all in the archive</a>", html);
        Assert.Contains($"And 4930 more: {archive}", text);
        Assert.DoesNotContain("Highlight 6 of story 1.", text);

        // That page lists every article of the run, the last one too.
        var page = await host.CreateClient().GetStringAsync($"/archive/{report.RunId}");
        Assert.Contains("Story 5000 of the day", page);
    }

    /// <summary>A feed story with more highlights than a digest shows.</summary>
    private static ArticleContent Story(int i) => new(
        $"Story {i} of the day: the council, the harbour and the new tram line",
        new DateOnly(2026, 3, 1),
        Enumerable.Range(1, 12).Select(h => $"Highlight {h} of story {i}.").ToList(),
        [$"The first paragraph of story {i}, long enough to be the lead that a digest would show without highlights."],
        []);
}

using System.Text.RegularExpressions;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using MimeKit;

namespace Digest.IntegrationTests.Email;

/// <summary>Articles with an Image: line, sent by the real app to smtp-sink: the pictures are in the HTML part only.</summary>
public sealed class DigestImagesOnTheWireTests
{
    private static readonly string[] WithImages = ["images-ferry.txt", "images-market.txt"];

    [Fact]
    public async Task Send_ArticlesWithPictures_HtmlPartShowsThemWithAltText_TextPartHasNoImageAddress()
    {
        await using var sink = await SmtpSink.StartAsync();

        var message = MimeMessage.Load(new MemoryStream(await SentDigest.SendAsync(sink: sink, moreArticles: WithImages)));

        string html = message.HtmlBody!;
        string text = message.TextBody!;
        var images = Regex.Matches(html, "<img [^>]*>").Select(m => m.Value).ToList();
        Assert.Equal(2, images.Count);
        Assert.StartsWith("<img src=\"https://images.example.org/2026/03/night-ferry.jpg\" alt=\"Passengers boarding the night ferry at the harbour pier\" width=\"536\"", images[0]);
        // No alt text given: the headline says what the picture is about.
        Assert.StartsWith("<img src=\"https://images.example.org/2026/03/covered-market.jpg\" alt=\"Covered Market Reopens After a Year of Repairs\" width=\"536\"", images[1]);
        Assert.All(images, image => Assert.Contains("max-width:536px;height:auto;", image));
        Assert.Contains("Night Ferry to the Islands Returns in June", text);
        Assert.DoesNotContain("images.example.org", text);
        Assert.DoesNotContain("Passengers boarding", text);
    }

    [Fact]
    public async Task Send_WithImagesOff_HtmlPartHasNoPicture()
    {
        await using var sink = await SmtpSink.StartAsync();

        var message = MimeMessage.Load(new MemoryStream(await SentDigest.SendAsync(
            new Dictionary<string, string?> { ["Editions:daily:Images"] = "false" }, sink, moreArticles: WithImages)));

        Assert.Contains("Night Ferry to the Islands Returns in June", message.HtmlBody);
        Assert.DoesNotContain("<img", message.HtmlBody);
        Assert.DoesNotContain("images.example.org", message.HtmlBody);
    }

    [Fact]
    public async Task Archive_ShowsTheRunsPicturesAsTheDigestDid_AndLetsTheBrowserLoadThem()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        foreach (string article in WithImages)
            await host.DropArticleAsync(article);
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana Lima", ["daily"]);

        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        Assert.Equal((1, 0), (report!.Sent, report.Failed));
        var page = await host.CreateClient().GetAsync($"/archive/{report.RunId}");
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<img src=\"https://images.example.org/2026/03/night-ferry.jpg\" alt=\"Passengers boarding the night ferry at the harbour pier\" width=\"536\"", html);
        Assert.Contains("<img src=\"https://images.example.org/2026/03/covered-market.jpg\" alt=\"Covered Market Reopens After a Year of Repairs\" width=\"536\"", html);
        Assert.Contains("img-src 'self' data: https:;", page.Headers.GetValues("Content-Security-Policy").Single());
    }
}

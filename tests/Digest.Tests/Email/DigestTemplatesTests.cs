using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Digest.Rendering;

namespace Digest.Tests.Email;

public sealed class DigestTemplatesTests(EmailSamplesFixture fixture) : IClassFixture<EmailSamplesFixture>
{
    private EmailSamples Samples => fixture.Samples;

    private async Task<(DigestView View, RenderedDigest Rendered)> RenderAsync(int articles)
    {
        var copy = await Samples.ComposeAsync(EmailSamples.Articles(articles));
        return (copy.Digest, await Samples.RenderAsync(copy));
    }

    [Fact]
    public async Task Html_IsEmailSafe_TablesInlineStylesLangColorSchemeAndHiddenPreheader()
    {
        var (view, rendered) = await RenderAsync(4);
        string html = rendered.Html;

        Assert.Contains("<html lang=\"en\"", html);
        Assert.Contains("<meta name=\"color-scheme\" content=\"light dark\">", html);
        Assert.Contains("max-width:600px", html);
        Assert.All(Regex.Matches(html, "<table[^>]*>").Select(m => m.Value), table => Assert.Contains("role=\"presentation\"", table));
        // Gmail drops <style> blocks in many cases: every style is inline, and nothing is loaded from elsewhere.
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<script", html);
        Assert.All(Regex.Matches(html, "<img[^>]*>").Select(m => m.Value), image => Assert.Matches("alt=\"[^\"]+\"", image));
        Assert.Contains($"display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;\">{view.Preheader}</div>", html);
        Assert.StartsWith(EmailSamples.Articles(1)[0].Content.Highlights[0], view.Preheader);
    }

    [Fact]
    public async Task Html_EachArticle_HasLinkedHeadlineDateHighlightsAndALinkNamingIt()
    {
        var (view, rendered) = await RenderAsync(4);

        Assert.DoesNotContain("Read more", rendered.Html);
        foreach (var article in view.Articles)
        {
            Assert.Contains($"<a href=\"{article.Url}\" style=\"color:#111827;text-decoration:none;\">{Html(article.Headline)}</a>", rendered.Html);
            Assert.Contains($">{article.DateLine}</p>", rendered.Html);
            Assert.All(article.Highlights, highlight => Assert.Contains($"<li style=\"margin:0 0 6px 0;\">{Html(highlight)}</li>", rendered.Html));
            Assert.Contains($"<a href=\"{article.Url}\" style=\"color:#1d4ed8;\">Read: {Html(article.Headline)}</a>", rendered.Html);
        }
    }

    [Fact]
    public async Task Text_CarriesTheSameHeadlinesDatesHighlightsAndLinksAsTheHtml()
    {
        var (view, rendered) = await RenderAsync(4);

        foreach (var article in view.Articles)
        {
            string[] shown = [article.Headline, article.DateLine, .. article.Highlights, article.Url, .. article.Lead is { } lead ? [lead] : Array.Empty<string>()];
            Assert.All(shown, item =>
            {
                Assert.Contains(item, rendered.Text);
                Assert.Contains(Html(item), rendered.Html);
            });
        }
        Assert.DoesNotContain("view in browser", rendered.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Footer_InBothParts_SaysWhyPreferencesAndUnsubscribeLinksAndSenderLine()
    {
        var copy = await Samples.ComposeAsync(EmailSamples.Articles(1));
        var rendered = await Samples.RenderAsync(copy);
        var reader = copy.Recipient;

        Assert.Equal("You receive this because ana@example.com subscribed to The Daily Digest.", reader.Reason);
        Assert.StartsWith("https://digest.example.org/u/", reader.UnsubscribeUrl);
        Assert.StartsWith("https://digest.example.org/preferences/", reader.PreferencesUrl);
        foreach (string part in new[] { rendered.Html, rendered.Text })
        {
            Assert.Contains(reader.Reason, part);
            Assert.Contains(reader.UnsubscribeUrl, part);
            Assert.Contains(reader.PreferencesUrl, part);
            Assert.Contains("The Digest · 1 Example Street · 10115 Berlin · Germany", part);
        }
    }

    [Fact]
    public async Task Html_ArticleText_IsEncodedNeverMarkup()
    {
        var article = EmailSamples.Articles(1)[0];
        var hostile = article with { Content = article.Content with { Headline = "<script>alert(1)</script> & \"quotes\"", Highlights = ["<b>bold</b>"] } };

        var rendered = await Samples.RenderAsync(await Samples.ComposeAsync([hostile]));

        Assert.DoesNotContain("<script>", rendered.Html);
        Assert.DoesNotContain("<b>bold</b>", rendered.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;", rendered.Html);
    }

    [Fact]
    public async Task Html_TwentyArticlesShownInFull_StaysUnderGmailClippingSize()
    {
        var (view, rendered) = await RenderAsync(20);

        Assert.Equal(20, view.Articles.Count);
        Assert.InRange(Encoding.UTF8.GetByteCount(rendered.Html), 20_000, GmailClipBytes);
    }

    [Fact]
    public async Task Html_SixtyArticles_ShowsTheEditionMaximumAndListsTheRestAsLinks_UnderClippingSize()
    {
        var (view, rendered) = await RenderAsync(60);

        Assert.Equal(20, view.Articles.Count);
        Assert.Equal(40, view.MoreArticles.Count);
        Assert.All(view.MoreArticles, link => Assert.Contains($"<a href=\"{link.Url}\" style=\"color:#1d4ed8;\">{Html(link.Headline)}</a>", rendered.Html));
        Assert.All(view.MoreArticles, link => Assert.Contains(link.Url, rendered.Text));
        Assert.True(Encoding.UTF8.GetByteCount(rendered.Html) < GmailClipBytes);
    }

    [Fact]
    public async Task Compose_ArticleWithThirtyHighlights_ShowsTheEditionsMaxHighlights()
    {
        var article = EmailSamples.Articles(1)[0];
        var many = article with { Content = article.Content with { Highlights = Enumerable.Range(1, 30).Select(i => $"Highlight number {i}.").ToList() } };

        var copy = await Samples.ComposeAsync([many]);
        var rendered = await Samples.RenderAsync(copy);
        var view = copy.Digest;

        Assert.Equal(["Highlight number 1.", "Highlight number 2.", "Highlight number 3.", "Highlight number 4.", "Highlight number 5."], view.Articles[0].Highlights);
        Assert.Contains("Highlight number 5.", rendered.Html);
        Assert.DoesNotContain("Highlight number 6.", rendered.Html);
        Assert.DoesNotContain("Highlight number 6.", rendered.Text);
    }

    [Fact]
    public async Task Compose_BeyondMaxLinks_CountsTheRestAndLinksTheRunsArchivePage()
    {
        var composer = Samples.Get<DigestComposer>();
        var edition = Daily(maxArticles: 2, maxLinks: 3);

        var view = await composer.ComposeRunAsync(edition, EmailSamples.Slot, EmailSamples.Articles(12), runId: 31);
        var rendered = await Samples.RenderAsync(new DigestCopy(view, composer.ForRecipient(view, edition, EmailSamples.Reader)));

        Assert.Equal((2, 3, 7), (view.Articles.Count, view.MoreArticles.Count, view.MoreCount));
        Assert.Contains("<a href=\"https://digest.example.org/archive/31\" style=\"color:#1d4ed8;\">And 7 more: see them all in the archive</a>", rendered.Html);
        Assert.Contains("And 7 more: https://digest.example.org/archive/31", rendered.Text);
    }

    [Fact]
    public async Task Compose_HeavyArticlesBeyondWhatFits_StaysUnderClippingSizeAndCountsEveryArticle()
    {
        // 200 full entries of long Greek text (two bytes a character) would be well over a megabyte.
        var composer = Samples.Get<DigestComposer>();
        var edition = Daily(maxArticles: 200, maxLinks: 200);
        string greek = string.Join(' ', Enumerable.Repeat("Νέα γραμμή μετρό ανοίγει", 40));
        var heavy = EmailSamples.Articles(400).Select(a => a with { Content = a.Content with { Headline = greek, Highlights = Enumerable.Repeat(greek, 30).ToList() } }).ToList();

        var view = await composer.ComposeRunAsync(edition, EmailSamples.Slot, heavy, runId: 5);
        var rendered = await Samples.RenderAsync(new DigestCopy(view, composer.ForRecipient(view, edition, EmailSamples.Reader)));

        Assert.InRange(Encoding.UTF8.GetByteCount(rendered.Html), 50_000, GmailClipBytes);
        Assert.Equal(400, view.Articles.Count + view.MoreArticles.Count + view.MoreCount);
        Assert.True(view.MoreCount > 0);
        Assert.Contains($"And {view.MoreCount} more", rendered.Html);
        Assert.All(view.Articles, a => Assert.InRange(a.Headline.Length, 100, DigestComposer.MaxHeadlineChars));
    }

    private Digest.Editions.Edition Daily(int maxArticles, int maxLinks) => Samples.Daily with
    {
        Options = new() { Title = "The Daily Digest", Cron = "0 7 * * *", TimeZone = "Europe/Berlin", MaxArticles = maxArticles, MaxLinks = maxLinks },
    };

    /// <summary>Gmail clips a message whose HTML is over about 102 KB; we keep a margin below it.</summary>
    private const int GmailClipBytes = 100 * 1024;

    private static string Html(string text) => EmailHtml.Encoder.Encode(text);
}

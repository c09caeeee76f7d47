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
        var view = Samples.Compose(EmailSamples.Articles(articles));
        return (view, await Samples.RenderAsync(view));
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
    public async Task Html_EachArticle_HasLinkedHeadlineDateHighlightsAndReadMore()
    {
        var (view, rendered) = await RenderAsync(4);

        foreach (var article in view.Articles)
        {
            Assert.Contains($"<a href=\"{article.Url}\" style=\"color:#111827;text-decoration:none;\">{Html(article.Headline)}</a>", rendered.Html);
            Assert.Contains($">{article.DateLine}</p>", rendered.Html);
            Assert.All(article.Highlights, highlight => Assert.Contains($"<li style=\"margin:0 0 6px 0;\">{Html(highlight)}</li>", rendered.Html));
            Assert.Contains($"<a href=\"{article.Url}\" style=\"color:#1d4ed8;\">Read more</a>", rendered.Html);
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
        var (view, rendered) = await RenderAsync(1);

        Assert.Equal("You receive this because ana@example.com subscribed to The Daily Digest.", view.Footer.Reason);
        Assert.StartsWith("https://digest.example.org/u/", view.Footer.UnsubscribeUrl);
        Assert.StartsWith("https://digest.example.org/preferences/", view.Footer.PreferencesUrl);
        foreach (string part in new[] { rendered.Html, rendered.Text })
        {
            Assert.Contains(view.Footer.Reason, part);
            Assert.Contains(view.Footer.UnsubscribeUrl, part);
            Assert.Contains(view.Footer.PreferencesUrl, part);
            Assert.Contains("The Digest · 1 Example Street · 10115 Berlin · Germany", part);
        }
    }

    [Fact]
    public async Task Html_ArticleText_IsEncodedNeverMarkup()
    {
        var article = EmailSamples.Articles(1)[0];
        var hostile = article with { Content = article.Content with { Headline = "<script>alert(1)</script> & \"quotes\"", Highlights = ["<b>bold</b>"] } };

        var rendered = await Samples.RenderAsync(Samples.Compose([hostile]));

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

    /// <summary>Gmail clips a message whose HTML is over about 102 KB; we keep a margin below it.</summary>
    private const int GmailClipBytes = 100 * 1024;

    private static string Html(string text) => EmailHtml.Encoder.Encode(text);
}

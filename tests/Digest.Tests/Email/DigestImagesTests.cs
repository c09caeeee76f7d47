using System.Text;
using System.Text.RegularExpressions;
using Digest.Articles;
using Digest.Rendering;

namespace Digest.Tests.Email;

/// <summary>
/// An article's picture in the digest: in the HTML part only, at a width no mail client overflows, described by its
/// alt text (the headline when its source gave none), inert whatever that text says, and off when the edition says so.
/// </summary>
public sealed class DigestImagesTests(EmailSamplesFixture fixture) : IClassFixture<EmailSamplesFixture>
{
    private const string Hostile = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";

    [Fact]
    public async Task Html_FullEntryWithAPicture_ShowsItAtABoundedWidth_WithItsAltOrTheHeadline()
    {
        var articles = WithImages(EmailSamples.Articles(2), "https://img.example.org/library.jpg?w=1200&h=800", "Readers in the new hall");
        articles = [articles[0], articles[1] with { Content = articles[1].Content with { Image = new ArticleImage("https://img.example.org/heat.jpg") } }];

        var (view, rendered) = await RenderAsync(fixture.Samples, articles);

        var images = Regex.Matches(rendered.Html, "<img [^>]*>").Select(m => m.Value).ToList();
        Assert.Equal(
            [$"<img src=\"https://img.example.org/library.jpg?w=1200&amp;h=800\" alt=\"Readers in the new hall\" width=\"536\" {Style}>",
             $"<img src=\"https://img.example.org/heat.jpg\" alt=\"{Html(view.Articles[1].Headline)}\" width=\"536\" {Style}>"],
            images);
        // Below its headline and date, above its highlights.
        int headline = rendered.Html.IndexOf($"{Html(view.Articles[0].Headline)}</a></h2>", StringComparison.Ordinal);
        int image = rendered.Html.IndexOf("library.jpg", StringComparison.Ordinal);
        Assert.True(headline > 0 && image > headline && rendered.Html.IndexOf("<ul", headline, StringComparison.Ordinal) > image,
            $"headline at {headline}, picture at {image}");
    }

    [Fact]
    public async Task Text_NeverCarriesAPicturesAddressOrAltText()
    {
        var articles = WithImages(EmailSamples.Articles(4), "https://img.example.org/library.jpg", "Readers in the new hall");

        var (_, rendered) = await RenderAsync(fixture.Samples, articles);

        Assert.Contains("img.example.org/library.jpg", rendered.Html);
        Assert.DoesNotContain("img.example.org", rendered.Text);
        Assert.DoesNotContain("Readers in the new hall", rendered.Text);
        Assert.Equal((await RenderAsync(fixture.Samples, EmailSamples.Articles(4))).Rendered.Text, rendered.Text);
    }

    [Fact]
    public async Task Html_AHostileAltText_IsEncodedAsText()
    {
        var articles = WithImages(EmailSamples.Articles(1), "https://img.example.org/a.jpg?x=\"><script>", Hostile);

        var (_, rendered) = await RenderAsync(fixture.Samples, articles);

        string image = Regex.Match(rendered.Html, "<img [^>]*>").Value;
        Assert.StartsWith("<img src=\"https://img.example.org/a.jpg?x=&quot;&gt;&lt;script&gt;\" alt=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;\" width=\"536\"", image);
        Assert.DoesNotContain("<script", rendered.Html);
        Assert.DoesNotContain("onerror=alert", Regex.Replace(rendered.Html, "alt=\"[^\"]*\"", ""));
    }

    [Fact]
    public async Task Html_WithImagesOff_ShowsNoPicture()
    {
        using var samples = new EmailSamples(new Dictionary<string, string?> { ["Editions:daily:Images"] = "false" });
        var articles = WithImages(EmailSamples.Articles(4), "https://img.example.org/library.jpg", "Readers in the new hall");

        var (_, rendered) = await RenderAsync(samples, articles);

        Assert.DoesNotContain("<img", rendered.Html);
        Assert.DoesNotContain("img.example.org", rendered.Html);
        Assert.Contains("Read: ", rendered.Html); // the entries themselves are all there
    }

    [Fact]
    public async Task Html_ArticlesListedAsLinks_HaveNoPicture()
    {
        var articles = WithImages(EmailSamples.Articles(25), "https://img.example.org/library.jpg", null);

        var (view, rendered) = await RenderAsync(fixture.Samples, articles);

        Assert.Equal(20, view.Articles.Count);
        Assert.Equal(20, Regex.Matches(rendered.Html, "<img ").Count);
    }

    [Fact]
    public async Task Html_StaysWithinTheBudget_WhenEveryEntryHasTheLongestPictureAndAlt()
    {
        using var samples = new EmailSamples(new Dictionary<string, string?> { ["Editions:daily:MaxArticles"] = "200", ["Editions:daily:MaxLinks"] = "200" });
        string url = "https://img.example.org/" + new string('p', ArticleImage.MaxUrlChars - 30);
        var articles = WithImages(EmailSamples.Articles(1000), url, string.Join(' ', Enumerable.Repeat("a long description", 40)));

        var (view, rendered) = await RenderAsync(samples, articles);

        Assert.InRange(Encoding.UTF8.GetByteCount(rendered.Html), 50_000, DigestComposer.HtmlBudgetBytes + 1024);
        Assert.Contains(url, rendered.Html);
        Assert.Equal(1000, view.Articles.Count + view.MoreArticles.Count + view.MoreCount); // nothing lost: the rest is counted
    }

    private const string Style = "style=\"display:block;width:100%;max-width:536px;height:auto;border:0;margin:0 0 12px 0;\"";

    private static IReadOnlyList<Article> WithImages(IReadOnlyList<Article> articles, string url, string? alt) =>
        articles.Select(a => a with { Content = a.Content with { Image = new ArticleImage(url, alt) } }).ToList();

    private static async Task<(DigestView View, RenderedDigest Rendered)> RenderAsync(EmailSamples samples, IReadOnlyList<Article> articles)
    {
        var copy = await samples.ComposeAsync(articles);
        return (copy.Digest, await samples.RenderAsync(copy));
    }

    private static string Html(string text) => EmailHtml.Encoder.Encode(text);
}

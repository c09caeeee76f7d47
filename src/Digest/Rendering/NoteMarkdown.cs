using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Digest.Rendering;

/// <summary>
/// An editor's note, written in Markdown, as HTML for the digest and the archive. Raw HTML is not Markdown here: it
/// shows as the text it is (Markdig's <c>DisableHtml</c>), and every text Markdig writes is HTML-encoded. Links stay
/// links when they lead to a web page or an address (http, https, mailto); any other link (<c>javascript:</c>, a
/// relative path a mail client cannot resolve) keeps its words and loses the link. Images are not loaded into
/// anyone's inbox: an image becomes a link to it.
/// </summary>
public static class NoteMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            link.IsImage = false;
            if (!IsSafe(link.Url))
                Unwrap(link);
        }
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (!IsSafe(autolink.Url))
                autolink.ReplaceBy(new LiteralInline(autolink.Url));
        }
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        return writer.ToString();
    }

    private static bool IsSafe(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto";

    /// <summary>Replaces a link by its words.</summary>
    private static void Unwrap(ContainerInline link)
    {
        for (var child = link.FirstChild; child is not null;)
        {
            var next = child.NextSibling;
            child.Remove();
            link.InsertBefore(child);
            child = next;
        }
        link.Remove();
    }
}

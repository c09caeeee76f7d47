using System.Net;
using System.Text.RegularExpressions;

namespace Digest.Articles.Feeds;

/// <summary>
/// Turns the HTML of a feed's summary into plain text. Nothing of the markup survives: scripts and styles go with
/// their content, tags go, entities are decoded once; whatever the text then says is HTML-encoded wherever it is shown.
/// </summary>
public static partial class HtmlText
{
    private const int MaxHighlights = 8;

    /// <summary>Longer summaries are cut here: a summary is a few sentences, and the patterns stay fast on any input.</summary>
    private const int MaxHtmlChars = 64 * 1024;

    private static string Bounded(string html) => html.Length <= MaxHtmlChars ? html : html[..MaxHtmlChars];

    /// <summary>The summary's list items if it has a list, else its sentences.</summary>
    public static IReadOnlyList<string> Highlights(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
            return [];
        string cleaned = Hidden().Replace(Bounded(html), " ");
        var items = ListItem().Matches(cleaned).Select(m => ToText(m.Groups["item"].Value)).Where(t => t.Length > 0).ToList();
        if (items.Count > 0)
            return items.Take(MaxHighlights).ToList();
        return SentenceEnd().Split(ToText(cleaned)).Select(s => s.Trim()).Where(s => s.Length > 0).Take(MaxHighlights).ToList();
    }

    /// <summary>The paragraphs of an HTML fragment (block elements and line breaks separate them).</summary>
    public static IReadOnlyList<string> Paragraphs(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
            return [];
        string cleaned = BlockBoundary().Replace(Hidden().Replace(Bounded(html), " "), "\n");
        return cleaned.Split('\n').Select(ToText).Where(p => p.Length > 0).ToList();
    }

    /// <summary>One line of plain text: tags removed, entities decoded, whitespace collapsed.</summary>
    public static string ToText(string? html)
    {
        if (string.IsNullOrEmpty(html))
            return "";
        string text = WebUtility.HtmlDecode(Tag().Replace(Hidden().Replace(Bounded(html), " "), " "));
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary>
    /// The first picture in an HTML fragment: its src and alt as written (entities decoded, the address not yet
    /// resolved). Hidden markup and 1-pixel tracking images do not count.
    /// </summary>
    public static (string Src, string? Alt)? FirstImage(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
            return null;
        foreach (Match image in ImageTag().Matches(Hidden().Replace(Bounded(html), " ")))
        {
            var attributes = ImageAttribute().Matches(image.Groups["attributes"].Value)
                .GroupBy(a => a.Groups["name"].Value.ToLowerInvariant())
                .ToDictionary(a => a.Key, a => WebUtility.HtmlDecode(a.First().Groups["value"].Value));
            bool pixel = attributes.GetValueOrDefault("width") is "0" or "1" || attributes.GetValueOrDefault("height") is "0" or "1";
            if (attributes.TryGetValue("src", out string? src) && src.Trim().Length > 0 && !pixel)
                return (src.Trim(), attributes.GetValueOrDefault("alt"));
        }
        return null;
    }

    [GeneratedRegex(@"<img\b(?<attributes>[^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex ImageTag();

    [GeneratedRegex(@"(?<![\w-])(?<name>src|alt|width|height)\s*=\s*(?:""(?<value>[^""]*)""|'(?<value>[^']*)'|(?<value>[^\s""'>]+))", RegexOptions.IgnoreCase)]
    private static partial Regex ImageAttribute();

    // Comments, CDATA leftovers and elements whose content is never text a reader sees.
    [GeneratedRegex(@"<!--.*?(-->|$)|<(script|style|noscript|template|iframe|object)\b.*?(</\2\s*>|$)", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Hidden();

    [GeneratedRegex(@"<li\b[^>]*>(?<item>.*?)(?=<li\b|</li\s*>|</[ou]l\s*>|$)", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"</?(p|div|br|li|ul|ol|h[1-6]|blockquote|section|article|tr)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockBoundary();

    // Only "<" followed by a tag name, "/", "!" or "?" opens a tag: "3 < 4" in a summary is text.
    [GeneratedRegex(@"<[A-Za-z/!?][^>]*(>|$)")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<=[.!?…])\s+(?=[\p{Lu}\p{Lo}\p{N}""“'‘])")]
    private static partial Regex SentenceEnd();
}

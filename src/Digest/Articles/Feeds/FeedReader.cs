using System.Globalization;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Digest.Articles.Feeds;

/// <summary>
/// One entry of a feed, as the feed wrote it (summary and content still HTML; the link absolute where xml:base said how),
/// with its picture, if it has a usable one; <c>Categories</c>: RSS &lt;category&gt;, Atom &lt;category term&gt;, JSON Feed tags.
/// </summary>
public sealed record FeedItem(string Title, string? Summary, string? Content, string? Link, string? Guid, DateTimeOffset? Published,
    ArticleImage? Image = null, IReadOnlyList<string>? Categories = null);

/// <summary>
/// Reads the feeds people publish: RSS 0.9x, 1.0 (RDF) and 2.0, Atom 0.3 and 1.0, and JSON Feed 1.x, tolerant of what
/// browsers and feed readers tolerate (see <see cref="FeedText"/>). A DTD that declares anything is refused and
/// nothing external is ever resolved, so a hostile feed cannot expand entities or make Digest fetch files.
/// </summary>
public static class FeedReader
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace Atom03 = "http://purl.org/atom/ns#";
    private static readonly XNamespace Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static readonly XNamespace Rss10 = "http://purl.org/rss/1.0/";
    private static readonly XNamespace Rss090 = "http://my.netscape.com/rdf/simple/0.9/";
    private static readonly XNamespace ContentModule = "http://purl.org/rss/1.0/modules/content/";
    private static readonly XNamespace DublinCore = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace Media = "http://search.yahoo.com/mrss/";

    /// <summary>
    /// The feed's items; throws <see cref="FeedFormatException"/> saying what is wrong and where.
    /// <paramref name="charset"/> is the HTTP Content-Type's, if any; <paramref name="location"/> the feed's address,
    /// against which relative links are resolved.
    /// </summary>
    public static IReadOnlyList<FeedItem> Read(byte[] body, string? charset = null, Uri? location = null)
    {
        string text = FeedText.Decode(body, charset);
        return text.AsSpan().TrimStart().StartsWith("{")
            ? JsonFeed.Read(text, location)
            : ReadXml(FeedText.ForXmlParser(text), location);
    }

    private static List<FeedItem> ReadXml(string text, Uri? location)
    {
        XDocument document;
        try
        {
            // Ignore, not Parse: a DOCTYPE naming an outside DTD (RSS 0.91's) is skipped, never fetched; one that
            // declares entities was refused before this (FeedText.ForXmlParser).
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
            using var reader = XmlReader.Create(new StringReader(text), settings);
            document = XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException error)
        {
            throw new FeedFormatException(error.LineNumber > 0
                ? $"not well-formed XML at line {error.LineNumber}, column {error.LinePosition}: {error.Message}"
                : $"not a usable XML feed: {error.Message}");
        }
        var root = document.Root!;
        if (root.Name == Atom + "feed")
            return root.Elements(Atom + "entry").Select(entry => ReadAtomEntry(entry, Atom, location)).ToList();
        if (root.Name == Atom03 + "feed")
            return root.Elements(Atom03 + "entry").Select(entry => ReadAtomEntry(entry, Atom03, location)).ToList();
        if (root.Name.LocalName == "rss" && root.Element("channel") is { } channel)
            return channel.Elements("item").Select(item => ReadRssItem(item, XNamespace.None, location)).ToList();
        if (root.Name == Rdf + "RDF")
        {
            // RSS 1.0 and 0.90 put their items beside the channel, in their own namespace.
            var ns = root.Element(Rss10 + "channel") is not null || root.Elements(Rss10 + "item").Any() ? Rss10 : Rss090;
            return root.Elements(ns + "item").Select(item => ReadRssItem(item, ns, location)).ToList();
        }
        throw new FeedFormatException($"the document is <{root.Name.LocalName}>, not an RSS, RDF or Atom feed");
    }

    private static FeedItem ReadRssItem(XElement item, XNamespace ns, Uri? location) => new(
        Text(item.Element(ns + "title")),
        item.Element(ns + "description")?.Value,
        item.Element(ContentModule + "encoded")?.Value,
        // A podcast episode may have no page of its own: its enclosure is the link.
        Resolve(Text(item.Element(ns + "link")) is { Length: > 0 } link ? link : (string?)item.Element(ns + "enclosure")?.Attribute("url"), item, location),
        Text(item.Element(ns + "guid")) is { Length: > 0 } guid ? guid : (string?)item.Attribute(Rdf + "about"),
        FeedDate.Read(Text(item.Element(ns + "pubDate")) is { Length: > 0 } date ? date : Text(item.Element(DublinCore + "date"))),
        Image(item.Elements(ns + "enclosure").Where(IsImage).Select(e => ((string?)e.Attribute("url"), e)),
            item, [item.Element(ContentModule + "encoded"), item.Element(ns + "description")], location),
        item.Elements(ns + "category").Concat(item.Elements(DublinCore + "subject")).Select(Text).ToList());

    private static FeedItem ReadAtomEntry(XElement entry, XNamespace ns, Uri? location)
    {
        var links = entry.Elements(ns + "link").ToList();
        var alternate = links.FirstOrDefault(l => (string?)l.Attribute("rel") is null or "alternate") ?? links.FirstOrDefault();
        // Atom 0.3 dates: issued (published), modified, created.
        string? published = new[] { "published", "issued", "updated", "modified", "created" }
            .Select(name => Text(entry.Element(ns + name))).FirstOrDefault(date => date.Length > 0);
        return new FeedItem(
            Text(entry.Element(ns + "title")),
            entry.Element(ns + "summary")?.Value,
            entry.Element(ns + "content")?.Value,
            alternate is null ? null : Resolve(((string?)alternate.Attribute("href"))?.Trim(), alternate, location),
            Text(entry.Element(ns + "id")) is { Length: > 0 } id ? id : null,
            FeedDate.Read(published),
            Image(links.Where(l => (string?)l.Attribute("rel") == "enclosure" && IsImage(l)).Select(l => ((string?)l.Attribute("href"), l)),
                entry, [entry.Element(ns + "content"), entry.Element(ns + "summary")], location),
            entry.Elements(ns + "category").Select(c => (string?)c.Attribute("term") ?? "").ToList());
    }

    /// <summary>
    /// An item's picture, the first usable of: an image enclosure, Media RSS content (an image) or thumbnail, the first
    /// image in its HTML (content before summary). Each address is resolved against the xml:base in scope and the
    /// feed's address; one that is not http(s) after that (javascript:, data:, relative without a base) is passed over.
    /// </summary>
    private static ArticleImage? Image(IEnumerable<(string? Url, XElement At)> enclosures, XElement item, XElement?[] html, Uri? location)
    {
        var media = item.Elements(Media + "content").Concat(item.Elements(Media + "group").Elements(Media + "content"))
            .Where(content => (string?)content.Attribute("medium") is null or "image" && ((string?)content.Attribute("type") is null || IsImage(content)))
            .Concat(item.Descendants(Media + "thumbnail"))
            .Select(element => ((string?)element.Attribute("url"), element, MediaText(element) ?? MediaText(element.Parent!)));
        var inline = html.OfType<XElement>()
            .Select(element => (element, image: HtmlText.FirstImage(Markup(element))))
            .Where(found => found.image is not null)
            .Select(found => ((string?)found.image!.Value.Src, found.element, found.image!.Value.Alt));
        return enclosures.Select(e => (e.Url, e.At, (string?)null)).Concat(media).Concat(inline)
            .Select(candidate => ArticleImage.From(Resolve(candidate.Item1, candidate.Item2, location), candidate.Item3, baseUri: null, out _))
            .FirstOrDefault(image => image is not null);
    }

    private static bool IsImage(XElement element) =>
        ((string?)element.Attribute("type"))?.Trim().StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>What Media RSS says a picture shows (its description, else its title), as text.</summary>
    private static string? MediaText(XElement element) =>
        Text(element.Element(Media + "description")) is { Length: > 0 } description ? description
        : Text(element.Element(Media + "title")) is { Length: > 0 } title ? title : null;

    /// <summary>An element's HTML: escaped HTML as its text, or Atom's inline XHTML as the markup it is.</summary>
    private static string Markup(XElement element) =>
        element.HasElements ? string.Concat(element.Nodes()) : element.Value;

    /// <summary>A link made absolute against the xml:base in scope at <paramref name="at"/>, over the feed's address.</summary>
    private static string? Resolve(string? link, XElement at, Uri? location)
    {
        if (string.IsNullOrWhiteSpace(link))
            return null;
        Uri? scope = location;
        foreach (var element in at.AncestorsAndSelf().Reverse())
        {
            if ((string?)element.Attribute(XNamespace.Xml + "base") is { Length: > 0 } xmlBase
                && (scope is null ? Uri.TryCreate(xmlBase, UriKind.Absolute, out var next) : Uri.TryCreate(scope, xmlBase, out next)))
                scope = next;
        }
        return scope is not null && Uri.TryCreate(scope, link, out var absolute) ? absolute.ToString() : link;
    }

    /// <summary>An element's text; a title may itself be escaped HTML ("type=html"), so it is reduced to text too.</summary>
    private static string Text(XElement? element) => HtmlText.ToText(element?.Value);

    /// <summary>JSON Feed (jsonfeed.org) 1.0 and 1.1.</summary>
    private static class JsonFeed
    {
        public static List<FeedItem> Read(string text, Uri? location)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException error)
            {
                throw new FeedFormatException($"not well-formed JSON at line {error.LineNumber + 1}: {error.Message}");
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
                    throw new FeedFormatException("a JSON document without an \"items\" list, not a JSON Feed");
                return items.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.Object).Select(item => ReadItem(item, location)).ToList();
            }
        }

        private static FeedItem ReadItem(JsonElement item, Uri? location)
        {
            string? Field(string name) => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            string? link = Field("url") ?? Field("external_url");
            string? content = Field("content_html") ?? (Field("content_text") is { } plain ? System.Net.WebUtility.HtmlEncode(plain) : null);
            return new FeedItem(
                HtmlText.ToText(Field("title")),
                Field("summary") is { } summary ? System.Net.WebUtility.HtmlEncode(summary) : null,
                content,
                link is not null && location is not null && Uri.TryCreate(location, link, out var absolute) ? absolute.ToString() : link,
                Field("id"),
                FeedDate.Read(Field("date_published") ?? Field("date_modified")),
                new[] { (Field("image"), (string?)null), (Field("banner_image"), null), HtmlText.FirstImage(Field("content_html")) is { } inline ? inline : (null, null) }
                    .Select(candidate => ArticleImage.From(candidate.Item1, candidate.Item2, location, out _))
                    .FirstOrDefault(image => image is not null),
                item.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                    ? tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList()
                    : null);
        }
    }
}

/// <summary>A feed that cannot be read, and why.</summary>
public sealed class FeedFormatException(string message) : Exception(message);

/// <summary>RFC 822 dates (RSS, with the zone names feeds still use) and RFC 3339 dates (Atom).</summary>
internal static class FeedDate
{
    private static readonly string[] Rfc822 =
    [
        "ddd, d MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm zzz", "d MMM yyyy HH:mm:ss zzz", "d MMM yyyy HH:mm zzz",
        "ddd, d MMM yy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm:ss",
    ];

    private static readonly Dictionary<string, string> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GMT"] = "+00:00", ["UT"] = "+00:00", ["UTC"] = "+00:00", ["Z"] = "+00:00",
        ["EST"] = "-05:00", ["EDT"] = "-04:00", ["CST"] = "-06:00", ["CDT"] = "-05:00",
        ["MST"] = "-07:00", ["MDT"] = "-06:00", ["PST"] = "-08:00", ["PDT"] = "-07:00",
    };

    public static DateTimeOffset? Read(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (DateTimeOffset.TryParseExact(WithNumericZone(text.Trim()), Rfc822, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var rfc822))
            return rfc822;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var other) ? other : null;
    }

    /// <summary>"GMT", "EST" or "+0200" at the end become "+00:00", "-05:00", "+02:00", which .NET formats read.</summary>
    private static string WithNumericZone(string text)
    {
        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string zone = parts[^1];
        if (Zones.TryGetValue(zone, out string? offset))
            parts[^1] = offset;
        else if (zone.Length == 5 && zone[0] is '+' or '-' && zone[1..].All(char.IsAsciiDigit))
            parts[^1] = $"{zone[..3]}:{zone[3..]}";
        return string.Join(' ', parts);
    }
}

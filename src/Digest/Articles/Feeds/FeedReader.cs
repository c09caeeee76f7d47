using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Digest.Articles.Feeds;

/// <summary>One entry of a feed, as the feed wrote it (summary and content still HTML).</summary>
public sealed record FeedItem(string Title, string? Summary, string? Content, string? Link, string? Guid, DateTimeOffset? Published);

/// <summary>
/// Reads RSS 2.0 and Atom documents. DTDs are refused and nothing external is resolved, so a hostile feed cannot
/// expand entities or make Digest fetch files.
/// </summary>
public static class FeedReader
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace ContentModule = "http://purl.org/rss/1.0/modules/content/";
    private static readonly XNamespace DublinCore = "http://purl.org/dc/elements/1.1/";

    /// <summary>The feed's items; throws <see cref="FeedFormatException"/> saying what is wrong and where.</summary>
    public static IReadOnlyList<FeedItem> Read(Stream xml)
    {
        XDocument document;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, CloseInput = false };
            using var reader = XmlReader.Create(xml, settings);
            document = XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException error)
        {
            // A refused DTD carries no position; everything else says where the document breaks.
            throw new FeedFormatException(error.LineNumber > 0
                ? $"not well-formed XML at line {error.LineNumber}, column {error.LinePosition}: {error.Message}"
                : $"not a usable XML feed: {error.Message}");
        }
        var root = document.Root!;
        if (root.Name == Atom + "feed")
            return root.Elements(Atom + "entry").Select(ReadAtomEntry).ToList();
        if (root.Name.LocalName == "rss" && root.Element("channel") is { } channel)
            return channel.Elements("item").Select(ReadRssItem).ToList();
        throw new FeedFormatException($"the document is <{root.Name.LocalName}>, neither an RSS 2.0 <rss> nor an Atom <feed>");
    }

    private static FeedItem ReadRssItem(XElement item) => new(
        Text(item.Element("title")),
        item.Element("description")?.Value,
        item.Element(ContentModule + "encoded")?.Value,
        Text(item.Element("link")) is { Length: > 0 } link ? link : null,
        Text(item.Element("guid")) is { Length: > 0 } guid ? guid : null,
        FeedDate.Read(Text(item.Element("pubDate")) is { Length: > 0 } date ? date : Text(item.Element(DublinCore + "date"))));

    private static FeedItem ReadAtomEntry(XElement entry)
    {
        var links = entry.Elements(Atom + "link").ToList();
        var alternate = links.FirstOrDefault(l => (string?)l.Attribute("rel") is null or "alternate") ?? links.FirstOrDefault();
        return new FeedItem(
            Text(entry.Element(Atom + "title")),
            entry.Element(Atom + "summary")?.Value,
            entry.Element(Atom + "content")?.Value,
            ((string?)alternate?.Attribute("href"))?.Trim(),
            Text(entry.Element(Atom + "id")) is { Length: > 0 } id ? id : null,
            FeedDate.Read(Text(entry.Element(Atom + "published")) is { Length: > 0 } published ? published : Text(entry.Element(Atom + "updated"))));
    }

    /// <summary>An element's text; a title may itself be escaped HTML ("type=html"), so it is reduced to text too.</summary>
    private static string Text(XElement? element) => HtmlText.ToText(element?.Value);
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

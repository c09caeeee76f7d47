using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Digest.Articles.Feeds;

/// <summary>
/// A feed's bytes as text, the way browsers and feed readers take them: the encoding from a byte-order mark, else the
/// HTTP header's charset, else the XML declaration's, else UTF-8 if the bytes are valid UTF-8, else Windows-1252
/// (what "ISO-8859-1" means on the web). Then what XML parsers refuse and feeds still do: text before the
/// declaration, and HTML's named entities (&amp;nbsp; &amp;eacute; …) that no DTD declares.
/// </summary>
internal static partial class FeedText
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static FeedText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static string Decode(byte[] body, string? httpCharset)
    {
        var encoding = FromByteOrderMark(body, out int skip) ?? Named(httpCharset) ?? Named(DeclaredCharset(body));
        if (encoding is not null)
            return encoding.GetString(body, skip, body.Length - skip);
        try
        {
            return StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.GetEncoding(1252).GetString(body);
        }
    }

    /// <summary>The text an XML parser accepts: from the declaration (or first tag) on, with HTML entities as characters.</summary>
    public static string ForXmlParser(string text)
    {
        int start = text.IndexOf('<');
        text = start > 0 ? text[start..] : text;
        if (DtdWithDeclarations().IsMatch(text))
            throw new FeedFormatException("the feed declares a DTD of its own (entities): refused, as it could expand without bound or read local files");
        return NamedEntity().Replace(text, entity => entity.Groups[1].Value switch
        {
            "amp" or "lt" or "gt" or "quot" or "apos" => entity.Value,
            _ when WebUtility.HtmlDecode(entity.Value) is var decoded && decoded != entity.Value =>
                string.Concat(decoded.EnumerateRunes().Select(rune => $"&#{rune.Value};")),
            _ => entity.Value, // unknown to HTML too: the parser says where it is
        });
    }

    private static Encoding? FromByteOrderMark(byte[] body, out int skip)
    {
        (skip, var encoding) = body switch
        {
            [0xEF, 0xBB, 0xBF, ..] => (3, Encoding.UTF8),
            [0xFF, 0xFE, ..] => (2, Encoding.Unicode),
            [0xFE, 0xFF, ..] => (2, Encoding.BigEndianUnicode),
            _ => (0, (Encoding?)null),
        };
        return encoding;
    }

    private static Encoding? Named(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
            return null;
        string name = charset.Trim().Trim('"', '\'');
        // Browsers read ISO-8859-1 and US-ASCII as Windows-1252: feeds that say so often hold its curly quotes.
        if (name.Equals("iso-8859-1", StringComparison.OrdinalIgnoreCase) || name.Equals("us-ascii", StringComparison.OrdinalIgnoreCase)
            || name.Equals("latin1", StringComparison.OrdinalIgnoreCase))
            return Encoding.GetEncoding(1252);
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null; // a charset nobody knows: fall through to the next source
        }
    }

    /// <summary>The encoding named in an XML declaration, read as ASCII from the first bytes.</summary>
    private static string? DeclaredCharset(byte[] body)
    {
        string head = Encoding.ASCII.GetString(body, 0, Math.Min(body.Length, 512));
        return XmlDeclaration().Match(head) is { Success: true } match ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex("""<!DOCTYPE[^>\[]*\[""", RegexOptions.IgnoreCase)]
    private static partial Regex DtdWithDeclarations();

    [GeneratedRegex("&([A-Za-z][A-Za-z0-9]{1,31});")]
    private static partial Regex NamedEntity();
}

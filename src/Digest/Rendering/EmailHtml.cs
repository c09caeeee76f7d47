using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Digest.Rendering;

/// <summary>How the HTML templates encode article text (each sets it as its page's HtmlEncoder).</summary>
public static class EmailHtml
{
    /// <summary>
    /// Encodes markup characters only: Greek, Cyrillic, accents and typographic punctuation stay as UTF-8 text, not
    /// numeric entities that triple their size and bring the digest closer to Gmail's clipping limit.
    /// </summary>
    public static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
}

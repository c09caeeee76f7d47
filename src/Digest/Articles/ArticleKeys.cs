using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Digest.Articles;

/// <summary>How a story is recognised again (dedupe) and addressed on the web (slug).</summary>
public static class ArticleKeys
{
    /// <summary>
    /// Headline, date and highlights with case, whitespace and typographic punctuation folded: the same story
    /// dropped twice, posted to the API and found in a feed yields the same key.
    /// </summary>
    public static string ContentKey(ArticleContent article)
    {
        var text = new StringBuilder()
            .Append(Fold(article.Headline)).Append('\n')
            .Append(article.PublishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('\n');
        foreach (var highlight in article.Highlights)
            text.Append(Fold(highlight)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A readable, URL-safe slug: date plus the headline's words, in any script.</summary>
    public static string Slug(ArticleContent article)
    {
        var words = new StringBuilder();
        foreach (char c in Fold(article.Headline))
        {
            if (char.IsLetterOrDigit(c))
                words.Append(c);
            else if (words.Length > 0 && words[^1] != '-')
                words.Append('-');
            if (words.Length >= 70)
                break;
        }
        string stem = words.ToString().Trim('-');
        string date = article.PublishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return stem.Length == 0 ? date : $"{date}-{stem}";
    }

    private static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (char raw in text.Normalize(NormalizationForm.FormKC))
        {
            char c = raw switch
            {
                '\u2018' or '\u2019' or '\u201B' or '\u2032' => '\'',
                '\u201C' or '\u201D' or '\u201F' or '\u2033' => '"',
                '\u2013' or '\u2014' => '-',
                _ => char.ToLowerInvariant(raw),
            };
            if (char.IsWhiteSpace(c))
            {
                if (folded.Length > 0 && folded[^1] != ' ')
                    folded.Append(' ');
                continue;
            }
            folded.Append(c);
        }
        return folded.ToString().TrimEnd();
    }
}

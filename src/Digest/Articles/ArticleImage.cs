namespace Digest.Articles;

/// <summary>
/// The one picture an article may carry: an absolute http(s) address and, when its source gave one, the words that
/// describe it. The digest shows it; the text part never needs it.
/// </summary>
public sealed record ArticleImage(string Url, string? Alt = null)
{
    /// <summary>Longest address kept: a longer one is not a picture's address but data or a tracking payload.</summary>
    public const int MaxUrlChars = 2000;

    /// <summary>
    /// The image at <paramref name="address"/> (made absolute against <paramref name="baseUri"/> when relative), or null
    /// with why it cannot be shown: only http(s) addresses are, never javascript:, data: or a relative one without a base.
    /// </summary>
    public static ArticleImage? From(string? address, string? alt, Uri? baseUri, out string? problem)
    {
        problem = null;
        address = address?.Trim();
        if (string.IsNullOrEmpty(address))
        {
            problem = "no address";
            return null;
        }
        if (address.Length > MaxUrlChars)
            return TooLong(address.Length, out problem);
        // "/a.jpg" would read as a file: URI on Unix; it is a path on the feed's site, so it is resolved like any relative one.
        Uri? uri = !address.StartsWith('/') && Uri.TryCreate(address, UriKind.Absolute, out var absolute) ? absolute
            : baseUri is not null && Uri.TryCreate(baseUri, address, out var resolved) ? resolved : null;
        if (uri is null || uri.Scheme is not ("http" or "https"))
        {
            problem = $"'{Shorten(address)}' is not an absolute http(s) address";
            return null;
        }
        string url = uri.AbsoluteUri;
        if (url.Length > MaxUrlChars)
            return TooLong(url.Length, out problem);
        // One line of words: line breaks and control characters (NUL, which PostgreSQL cannot store) have no place in alt text.
        string? text = alt is null ? null
            : string.Join(' ', new string(alt.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return new ArticleImage(url, string.IsNullOrEmpty(text) ? null : text);
    }

    private static ArticleImage? TooLong(int length, out string problem)
    {
        problem = $"the address is {length:N0} characters long, over the limit of {MaxUrlChars:N0}";
        return null;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}

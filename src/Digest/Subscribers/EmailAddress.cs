using MimeKit;

namespace Digest.Subscribers;

/// <summary>Validates and normalises an address typed by a person or read from a file.</summary>
public static class EmailAddress
{
    private const int MaxLength = 254; // RFC 5321 path limit

    /// <summary>Returns the normalised address, or null with a reason a person can act on.</summary>
    public static string? Normalise(string? input, out string? problem)
    {
        problem = null;
        string text = (input ?? "").Trim();
        if (text.Length == 0)
            problem = "the address is empty";
        else if (text.Length > MaxLength)
            problem = $"the address is {text.Length} characters long; the limit is {MaxLength}";
        else if (text.Any(char.IsControl))
            problem = "the address contains a line break or another control character";
        else if (text.Count(c => c == '@') != 1 || text.StartsWith('@') || text.EndsWith('@') || text.Contains(' '))
            problem = $"'{text}' is not an email address";
        else if (!MailboxAddress.TryParse(text, out var parsed) || parsed.Address != text || !text.Split('@')[1].Contains('.'))
            problem = $"'{text}' is not an email address";
        return problem is null ? text.ToLowerInvariant() : null;
    }
}

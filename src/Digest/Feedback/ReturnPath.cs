using System.Globalization;
using System.Text.RegularExpressions;
using Digest.Delivery;
using Digest.Subscribers;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Feedback;

/// <summary>The copy of a run a piece of feedback is about.</summary>
public readonly record struct SentCopy(long RunId, long SubscriberId);

/// <summary>
/// Per-message envelope senders (VERP): <c>bounces+{run}-{subscriber}-{signature}@{domain}</c>. A bounce goes to
/// that address, so it names the copy it is about even when its text names nobody; the signature (the subscriber
/// links' HMAC key, 64 bits) keeps anyone from suppressing a subscriber by mailing a made-up address. Where a
/// relay puts its own return path, <see cref="FromMessageId"/> reads the copy from the digest's Message-ID
/// (<c>digest.{run}.{subscriber}@…</c>) quoted in the bounce.
/// </summary>
public sealed partial class ReturnPath(IOptions<FeedbackOptions> feedback, IOptions<DeliveryOptions> delivery, SubscriberTokens tokens)
{
    private const string Purpose = "return-path";

    private ReturnPathOptions Options => feedback.Value.ReturnPath;

    public bool Enabled => Options.Enabled;

    public string Domain => Options.DomainOr(delivery.Value.SendingDomain);

    /// <summary>The envelope sender for one copy; null when per-message return paths are off (MAIL FROM is the From address).</summary>
    public MailboxAddress? For(long runId, long subscriberId)
    {
        if (!Options.Enabled)
            return null;
        string copy = string.Create(CultureInfo.InvariantCulture, $"{runId}-{subscriberId}");
        return new MailboxAddress("", $"{Options.LocalPart}+{copy}-{tokens.ShortSignature(Purpose + copy)}@{Domain}");
    }

    /// <summary>The copy an address made by <see cref="For"/> stands for; null for any other address or a bad signature.</summary>
    public SentCopy? Read(string? address)
    {
        if (address is null || VerpAddress().Match(address.Trim().Trim('<', '>')) is not { Success: true } match)
            return null;
        if (!string.Equals(match.Groups["local"].Value, Options.LocalPart, StringComparison.OrdinalIgnoreCase))
            return null;
        string copy = $"{match.Groups["run"].Value}-{match.Groups["subscriber"].Value}";
        if (!tokens.HasShortSignature(Purpose + copy, match.Groups["signature"].Value))
            return null;
        return new SentCopy(long.Parse(match.Groups["run"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["subscriber"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The first signed return path anywhere in <paramref name="text"/> (a bounce's headers or body).</summary>
    public SentCopy? Find(string text)
    {
        foreach (Match match in VerpAddress().Matches(text))
            if (Read(match.Value) is { } copy)
                return copy;
        return null;
    }

    /// <summary>The copy a digest Message-ID (<c>digest.{run}.{subscriber}@…</c>) quoted in <paramref name="text"/> stands for.</summary>
    public static SentCopy? FromMessageId(string? text)
    {
        if (text is null || DigestMessageId().Match(text) is not { Success: true } match)
            return null;
        return new SentCopy(long.Parse(match.Groups["run"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["subscriber"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(?<local>[A-Za-z0-9._-]{1,10})\+(?<run>[0-9]{1,19})-(?<subscriber>[0-9]{1,19})-(?<signature>[a-zA-Z2-7]{13})@[A-Za-z0-9.-]+")]
    private static partial Regex VerpAddress();

    [GeneratedRegex(@"<?digest\.(?<run>[0-9]{1,19})\.(?<subscriber>[0-9]{1,19})@[A-Za-z0-9.-]+>?")]
    private static partial Regex DigestMessageId();
}

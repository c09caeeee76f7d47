using Digest.Rendering;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>
/// The signed links a subscriber acts through besides unsubscribing: confirming their address and opening their
/// preferences. Each carries the subscriber and its purpose, so a confirmation link never opens preferences.
/// </summary>
public sealed class SubscriberLinks(SubscriberTokens tokens, IOptions<SiteOptions> site, IOptions<SecurityOptions> security)
{
    public const string Confirm = "confirm";
    public const string Preferences = "preferences";

    /// <summary>Stands in the token's edition field: these links concern every edition.</summary>
    private const string AllEditions = "*";

    /// <summary>A confirmation link works for a week: long enough for a holiday, short enough that an old mail goes stale.</summary>
    public static readonly TimeSpan ConfirmLifetime = TimeSpan.FromDays(7);

    public string ConfirmUrl(long subscriberId) =>
        $"{Root}/confirm/{tokens.Create(Confirm, subscriberId, AllEditions, ConfirmLifetime)}";

    public string PreferencesUrl(long subscriberId) =>
        $"{Root}/preferences/{tokens.Create(Preferences, subscriberId, AllEditions, security.Value.UnsubscribeLinkLifetime)}";

    /// <summary>The subscriber a link token is for, or null with the reason in words.</summary>
    public long? Read(string token, string purpose, out string? problem) =>
        tokens.Read(token, purpose, out problem)?.SubscriberId;

    private string Root => site.Value.PublicUrl.TrimEnd('/');
}

namespace Digest.Subscribers;

/// <summary>The "Security" section: signing of the links in every email.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// Secret for signing subscriber links (at least 32 characters). Set it from the environment
    /// (<c>Security__TokenSecret</c>) in production, the same in every process: workers sign the links the web front
    /// checks. Required for the Web and Worker roles; with the All role, when empty, a random one is created once in
    /// the data folder, readable by its owner only.
    /// </summary>
    public string? TokenSecret { get; set; }

    /// <summary>How long an unsubscribe link in a sent email keeps working.</summary>
    public TimeSpan UnsubscribeLinkLifetime { get; set; } = TimeSpan.FromDays(365);
}

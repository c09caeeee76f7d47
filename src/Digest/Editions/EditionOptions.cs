namespace Digest.Editions;

/// <summary>One edition under the "Editions" section, keyed by its name (e.g. "daily").</summary>
public sealed class EditionOptions
{
    /// <summary>Shown to subscribers, e.g. "The Daily Digest".</summary>
    public string Title { get; set; } = "";

    /// <summary>
    /// Whose confirmed subscribers receive this edition: the name of an edition people subscribe to. Empty: the
    /// edition's own subscribers. E.g. a "weekly-best" edition sent to everyone subscribed to "daily".
    /// </summary>
    public string Audience { get; set; } = "";

    /// <summary>Five-field cron expression for when the edition is sent, read in <see cref="TimeZone"/>.</summary>
    public string Cron { get; set; } = "";

    /// <summary>IANA time zone the cron is read in, e.g. "Europe/Berlin".</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Subject pattern; {edition}, {date} and {topHeadline} are filled in.</summary>
    public string Subject { get; set; } = "{edition} — {date}: {topHeadline}";

    /// <summary>Most articles shown in full; the rest are listed as links so the email is not clipped.</summary>
    public int MaxArticles { get; set; } = 20;

    /// <summary>Most highlights shown per article; an article's others are on its page.</summary>
    public int MaxHighlights { get; set; } = 5;

    /// <summary>
    /// Most articles beyond <see cref="MaxArticles"/> listed as links; any further ones are counted ("and 12 more")
    /// with a link to the run's archive page, which lists them all.
    /// </summary>
    public int MaxLinks { get; set; } = 50;

    /// <summary>
    /// The digest's language and dates: "en" (default), "de", or a region of one ("de-AT"). The fixed words come from
    /// src/Digest/Rendering/DigestStrings.&lt;language&gt;.resx.
    /// </summary>
    public string Culture { get; set; } = "en";

    /// <summary>
    /// Whether the HTML part shows an article's picture (from its feed, an Image: line or the API). False: no picture at
    /// all, for readers or relays that block remote images. The text part never has pictures.
    /// </summary>
    public bool Images { get; set; } = true;

    /// <summary>
    /// Groups the digest into sections, e.g. <c>"Sections": { "By": "Topic", "Order": ["Energy", "Transport"] }</c>:
    /// by an article's topic or by its source (a feed's name, "api", "inbox"), the sections named in <c>Order</c>
    /// first and in that order (as spelled there), any others after them alphabetically, and articles with no
    /// section last under a heading in the digest's language. <c>By: None</c> (default): one list in arrival order.
    /// </summary>
    public SectionsOptions Sections { get; set; } = new();

    /// <summary>Fewer new articles than this count as "nothing new": they wait for the next slot.</summary>
    public int MinArticles { get; set; } = 1;

    /// <summary>What a slot with nothing new does: skip it, or send a short "no news" digest.</summary>
    public WhenEmpty WhenEmpty { get; set; } = WhenEmpty.Skip;

    /// <summary>Optional From address for this edition only; empty means Delivery:FromAddress.</summary>
    public string? FromAddress { get; set; }

    /// <summary>Optional From display name for this edition only; empty means Delivery:FromName.</summary>
    public string? FromName { get; set; }

    /// <summary>
    /// Optional local hour ("07:00") each subscriber receives the edition at, in the subscriber's own time zone
    /// (the edition's zone for a subscriber without one). The run still composes once, at its cron slot; each
    /// copy then waits for the next such hour at or after the slot.
    /// </summary>
    public string? DeliverAt { get; set; }

    /// <summary>
    /// After downtime, a slot missed no longer ago than this still runs (once) when the service is back;
    /// an older one is left out rather than arriving at an unexpected hour.
    /// </summary>
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromHours(3);

    /// <summary>The first run of an edition takes articles ingested no longer ago than this.</summary>
    public TimeSpan Lookback { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Required: each run is composed and frozen at its slot but waits for an editor's approval (editors get an email
    /// with a link to its review page); nothing reaches a subscriber before.
    /// </summary>
    public Review Review { get; set; } = Review.None;

    /// <summary>How long after its slot a run waits for approval; then <see cref="AfterReviewDeadline"/> decides.</summary>
    public TimeSpan ReviewDeadline { get; set; } = TimeSpan.FromHours(4);

    /// <summary>What a run nobody approved by its <see cref="ReviewDeadline"/> does: is skipped, or sends anyway.</summary>
    public AfterReviewDeadline AfterReviewDeadline { get; set; } = AfterReviewDeadline.Skip;
}

/// <summary>Whether an edition's runs wait for an editor's approval before they send.</summary>
public enum Review
{
    /// <summary>Runs send at their slot.</summary>
    None,
    /// <summary>Runs wait in "awaiting approval" until an editor approves (or the review deadline passes).</summary>
    Required,
}

/// <summary>What a run awaiting approval does once its review deadline passes.</summary>
public enum AfterReviewDeadline
{
    /// <summary>Nothing is sent; the run is marked skipped.</summary>
    Skip,
    /// <summary>The run sends as it stands, as if approved.</summary>
    SendAnyway,
}

/// <summary>How an edition groups its digest (<see cref="EditionOptions.Sections"/>).</summary>
public sealed class SectionsOptions
{
    public SectionBy By { get; set; } = SectionBy.None;

    /// <summary>The sections in the order the editor wants them; the names match topics or sources in any case.</summary>
    public List<string> Order { get; set; } = [];
}

public enum SectionBy
{
    None,
    Topic,
    Source,
}

/// <summary>What an edition does at a slot where nothing new arrived.</summary>
public enum WhenEmpty
{
    /// <summary>Send nothing; the next slot carries whatever arrives meanwhile.</summary>
    Skip,
    /// <summary>Send a short digest saying there is no news, so readers know the edition is alive.</summary>
    SendNoNews,
}

/// <summary>The "Editions" section: every edition by name.</summary>
public sealed class EditionsOptions : Dictionary<string, EditionOptions>
{
    public const string SectionName = "Editions";

    public EditionsOptions() : base(StringComparer.OrdinalIgnoreCase) { }

    /// <summary>The edition of that name, or an error naming the editions that exist.</summary>
    public Edition Get(string name) => TryGetValue(name, out var options)
        ? new Edition(name.ToLowerInvariant(), options)
        : throw new UnknownEditionException(name, Keys);
}

/// <summary>An edition with its name, as the rest of the flow sees it.</summary>
public sealed record Edition(string Name, EditionOptions Options)
{
    public string Title => string.IsNullOrWhiteSpace(Options.Title) ? Name : Options.Title;

    /// <summary>The subscription list this edition is sent to (and unsubscribed from).</summary>
    public string AudienceList => string.IsNullOrWhiteSpace(Options.Audience) ? Name : Options.Audience.Trim().ToLowerInvariant();
}

public sealed class UnknownEditionException(string name, IEnumerable<string> known)
    : Exception($"There is no edition '{name}'. Editions in appsettings.json: {string.Join(", ", known)}.");

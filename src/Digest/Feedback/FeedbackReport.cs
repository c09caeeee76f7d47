namespace Digest.Feedback;

/// <summary>What a piece of feedback says, as stored in <c>feedback_events.kind</c>.</summary>
public static class FeedbackKind
{
    /// <summary>The mailbox does not exist or refuses for good: the address is suppressed at once.</summary>
    public const string HardBounce = "hard-bounce";
    /// <summary>A transient failure (mailbox full, delayed, a policy block): counted; too many in a window suppress.</summary>
    public const string SoftBounce = "soft-bounce";
    /// <summary>The reader reported the digest as spam (ARF, a relay's complaint event): out of everything, suppressed.</summary>
    public const string Complaint = "complaint";
    public const string Unsubscribe = "unsubscribe";
    /// <summary>Auto-replies and "delivered" notices: nothing to do, never counted.</summary>
    public const string Ignored = "ignored";
    /// <summary>Nothing Digest can act on: left for a person.</summary>
    public const string Unrecognised = "unrecognised";
}

/// <summary>Where a piece of feedback came from, as stored in <c>feedback_events.source</c>.</summary>
public static class FeedbackSource
{
    public const string Mailbox = "mailbox";
    public const string OneClick = "one-click";
    public const string Ses = "ses";
    public const string Mailgun = "mailgun";
}

/// <summary>
/// One piece of feedback as classified: its kind, the provider's reason in its own words, and whom it concerns —
/// the copy it is about (<see cref="Copy"/>, from the return path or the Message-ID), else the failed recipient's
/// address, else (emailed unsubscribes) the sender's. <see cref="Edition"/> narrows an unsubscribe to one edition.
/// </summary>
public sealed record FeedbackReport(string Kind, string Reason, SentCopy? Copy = null, string? Recipient = null, string? Edition = null,
    string? Sender = null);

/// <summary>What applying a report did: whom it concerned and the effect, in words.</summary>
public sealed record FeedbackResult(string Kind, string Effect, long? SubscriberId = null, string? Email = null, long? RunId = null,
    bool Duplicate = false)
{
    /// <summary>Left for a person: nothing was recognised, or it named nobody Digest knows.</summary>
    public bool ForAPerson => Kind == FeedbackKind.Unrecognised || (SubscriberId is null && Kind != FeedbackKind.Ignored);

    public override string ToString() =>
        $"{Kind,-12} {(RunId is { } run ? $"run {run}" : "-"),-8} {Email ?? "-"}: {Effect}{(Duplicate ? " (already processed)" : "")}";
}

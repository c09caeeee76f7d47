using Digest.Storage;

namespace Digest.Editions;

public static class RunStatus
{
    /// <summary>Articles and audience are frozen; messages are going out.</summary>
    public const string Sending = "sending";
    /// <summary>Every subscriber of the run has a final ledger entry.</summary>
    public const string Completed = "completed";
    /// <summary>Nothing new to send at that slot; nobody was mailed.</summary>
    public const string Empty = "empty";
    /// <summary>Articles, note and audience are frozen; nothing is sent until an editor approves (Editions:NAME:Review).</summary>
    public const string AwaitingApproval = "awaiting-approval";
    /// <summary>Nobody approved the run by its review deadline and the edition skips such runs; nobody was mailed.</summary>
    public const string Skipped = "skipped";
}

/// <summary>One edition at one scheduled slot. Unique per (edition, slot): a slot fired twice is one run.</summary>
public sealed record Run(long Id, string Edition, DateTimeOffset Slot, string Status, DateTimeOffset CreatedAt);

internal sealed record RunRow(long Id, string Edition, string Slot, string Status, string CreatedAt)
{
    public Run ToRun() => new(Id, Edition, Clock.Parse(Slot), Status, Clock.Parse(CreatedAt));

    public const string Columns = "id AS Id, edition AS Edition, slot AS Slot, status AS Status, created_at AS CreatedAt";
}

using System.Data.Common;
using Dapper;
using Digest.Feedback;
using Digest.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>The "Subscribers" section.</summary>
public sealed class SubscribersOptions
{
    public const string SectionName = "Subscribers";

    /// <summary>
    /// How long the address of someone who unsubscribed, was suppressed or never confirmed is kept; then it is
    /// erased and only anonymous counts remain.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Everything Digest holds about one subscriber, as they download it.</summary>
public sealed record SubscriberExport(
    long Id, string Email, string Name, string Status, string CreatedAt, string? TimeZone,
    IReadOnlyList<SubscriberExport.Subscription> Subscriptions,
    IReadOnlyList<SubscriberExport.Delivery> Deliveries,
    IReadOnlyList<FeedbackEvent> Feedback)
{
    public sealed record Subscription(string Edition, string Status, string UpdatedAt);

    public sealed record Delivery(long RunId, string Edition, string Status, string MessageId, long Attempts, string? LastReply, string UpdatedAt);
}

/// <summary>
/// A subscriber's personal data: their export, their own erasure, and erasure after <see cref="SubscribersOptions.Retention"/>.
/// Erasing replaces the address and name and clears the texts that may quote the address (servers' replies,
/// providers' reasons); the rows stay, anonymous, so every run keeps its counts. Erasures are logged by number only.
/// </summary>
public sealed class PersonalData(Database database, FeedbackFigures feedback, IOptionsMonitor<SubscribersOptions> options, TimeProvider time,
    ILogger<PersonalData> logger)
{
    public const string Erased = "erased";

    public async Task<SubscriberExport?> ExportAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var subscriber = await connection.QuerySingleOrDefaultAsync<(long Id, string Email, string Name, string Status, string CreatedAt, string? TimeZone)?>(
            "SELECT id, email, name, status, created_at, time_zone FROM subscribers WHERE id = @id AND status <> @erased", new { id, erased = Erased });
        if (subscriber is not { } s)
            return null;
        var subscriptions = await connection.QueryAsync<SubscriberExport.Subscription>(
            "SELECT edition AS Edition, status AS Status, updated_at AS UpdatedAt FROM subscriptions WHERE subscriber_id = @id ORDER BY edition", new { id });
        var deliveries = await connection.QueryAsync<SubscriberExport.Delivery>("""
            SELECT d.run_id AS RunId, r.edition AS Edition, d.status AS Status, d.message_id AS MessageId, d.attempts AS Attempts,
                   d.last_reply AS LastReply, d.updated_at AS UpdatedAt
            FROM deliveries d JOIN runs r ON r.id = d.run_id WHERE d.subscriber_id = @id ORDER BY d.run_id
            """, new { id });
        return new SubscriberExport(s.Id, s.Email, s.Name, s.Status, s.CreatedAt, s.TimeZone, subscriptions.ToList(), deliveries.ToList(),
            await feedback.ForSubscriberAsync(id, int.MaxValue, cancellationToken));
    }

    /// <summary>
    /// Erases a subscriber at their own request or an editor's (<paramref name="requestedBy"/>, for the log): the
    /// address, name and time zone are gone, every subscription ends and replies and reasons that may quote the address
    /// are cleared; the ledger keeps its rows, so runs' counts stay true. False when there is nobody (left) to erase.
    /// </summary>
    public async Task<bool> EraseAsync(long id, string requestedBy, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        bool erased = await EraseAsync(connection, transaction, id);
        await transaction.CommitAsync(cancellationToken);
        if (erased)
            logger.LogInformation("Erased subscriber {SubscriberId} at the request of {RequestedBy}", id, requestedBy);
        return erased;
    }

    /// <summary>
    /// Erases everyone who unsubscribed from everything, was suppressed or never confirmed, with no change for
    /// longer than the retention. Returns how many.
    /// </summary>
    public async Task<int> EraseExpiredAsync(CancellationToken cancellationToken = default)
    {
        string cutoff = Clock.Format(time.GetUtcNow() - options.CurrentValue.Retention);
        await using var connection = await database.OpenAsync(cancellationToken);
        var due = (await connection.QueryAsync<(long Id, string Status)>("""
            SELECT p.id, p.status FROM subscribers p
            WHERE p.status <> @erased
              AND (p.status IN (@unsubscribed, @suppressed, @pending)
                   OR NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = p.id AND s.status <> @unsubscribed))
              AND p.created_at < @cutoff
              AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = p.id AND s.updated_at >= @cutoff)
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = p.id AND d.updated_at >= @cutoff)
              AND NOT EXISTS (SELECT 1 FROM feedback_events f WHERE f.subscriber_id = p.id AND f.received_at >= @cutoff)
            """, new
            {
                cutoff, erased = Erased, unsubscribed = SubscriberStatus.Unsubscribed, suppressed = SubscriberStatus.Suppressed,
                pending = SubscriberStatus.Pending,
            })).ToList();
        foreach (var (id, status) in due)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await EraseAsync(connection, transaction, id);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Erased subscriber {SubscriberId} ({Status} for longer than {Retention})", id, status, options.CurrentValue.Retention);
        }
        return due.Count;
    }

    private static async Task<bool> EraseAsync(DbConnection connection, DbTransaction transaction, long id)
    {
        int changed = await connection.ExecuteAsync("""
            UPDATE subscribers SET email = @email, name = '', status = @erased, time_zone = NULL WHERE id = @id AND status <> @erased
            """, new { id, email = $"erased-{id}@erased.invalid", erased = Erased }, transaction);
        if (changed == 0)
            return false;
        await connection.ExecuteAsync("UPDATE subscriptions SET status = @unsubscribed WHERE subscriber_id = @id",
            new { id, unsubscribed = SubscriberStatus.Unsubscribed }, transaction);
        await connection.ExecuteAsync("UPDATE deliveries SET last_reply = NULL WHERE subscriber_id = @id", new { id }, transaction);
        await connection.ExecuteAsync("UPDATE feedback_events SET reason = NULL WHERE subscriber_id = @id", new { id }, transaction);
        return true;
    }
}

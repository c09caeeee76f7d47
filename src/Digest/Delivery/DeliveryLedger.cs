using Dapper;
using Digest.Storage;
using Digest.Subscribers;

namespace Digest.Delivery;

public static class DeliveryStatus
{
    public const string Pending = "pending";
    /// <summary>Claimed by a sender; a claim older than the stale limit was cut off by a crash and is taken again.</summary>
    public const string Sending = "sending";
    public const string Sent = "sent";
    /// <summary>A 4xx or network failure: tried again from <c>next_attempt_at</c>.</summary>
    public const string Retry = "retry";
    /// <summary>A 5xx reply, or retries ran out: final for this run.</summary>
    public const string Failed = "failed";
    /// <summary>The subscriber left the edition after the run started.</summary>
    public const string Skipped = "skipped";
}

/// <summary>A ledger entry claimed for sending.</summary>
public sealed record DeliveryClaim(long SubscriberId, string MessageId, long Attempts, string Email, string Name,
    string SubscriberStatus, string? SubscriptionStatus);

/// <summary>
/// The delivery ledger: one row per (run, subscriber), the truth about who has the digest. Senders claim rows in
/// batches, so two workers on the same run never send the same row at once.
/// </summary>
public sealed class DeliveryLedger(Database database, TimeProvider time)
{
    /// <summary>How long a claim may stand before it is taken to be from a crashed sender.</summary>
    public static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(5);

    public async Task<IReadOnlyList<DeliveryClaim>> ClaimAsync(long runId, int batchSize, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string claim = Guid.NewGuid().ToString("N");
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("""
            UPDATE deliveries SET status = @sending, claim = @claim, updated_at = @now
            WHERE run_id = @runId
              -- Repeated outside the subquery: PostgreSQL re-checks only this level after waiting on a row another
              -- sender claimed meanwhile, and must then skip it.
              AND ((status = @pending AND (next_attempt_at IS NULL OR next_attempt_at <= @now)) OR (status = @retry AND next_attempt_at <= @now) OR (status = @sending AND updated_at < @stale))
              AND subscriber_id IN (
                SELECT subscriber_id FROM deliveries
                -- A pending copy with next_attempt_at waits for its subscriber's local hour (Editions:NAME:DeliverAt).
                WHERE run_id = @runId AND ((status = @pending AND (next_attempt_at IS NULL OR next_attempt_at <= @now))
                    OR (status = @retry AND next_attempt_at <= @now)
                    OR (status = @sending AND updated_at < @stale))
                ORDER BY subscriber_id LIMIT @batchSize)
            """, new
            {
                runId, claim, batchSize, now = Clock.Format(now), stale = Clock.Format(now - StaleClaim),
                sending = DeliveryStatus.Sending, pending = DeliveryStatus.Pending, retry = DeliveryStatus.Retry,
            });
        var claimed = await connection.QueryAsync<DeliveryClaim>("""
            SELECT d.subscriber_id AS SubscriberId, d.message_id AS MessageId, d.attempts AS Attempts, p.email AS Email,
                   p.name AS Name, p.status AS SubscriberStatus, s.status AS SubscriptionStatus
            FROM deliveries d
            JOIN subscribers p ON p.id = d.subscriber_id
            JOIN runs r ON r.id = d.run_id
            LEFT JOIN subscriptions s ON s.subscriber_id = d.subscriber_id AND s.edition = r.edition
            WHERE d.run_id = @runId AND d.claim = @claim AND d.status = @sending
            ORDER BY d.subscriber_id
            """, new { runId, claim, sending = DeliveryStatus.Sending });
        return claimed.ToList();
    }

    public Task MarkSentAsync(long runId, long subscriberId, string reply, CancellationToken cancellationToken) =>
        SetAsync(runId, subscriberId, DeliveryStatus.Sent, reply, null, cancellationToken);

    public Task MarkSkippedAsync(long runId, long subscriberId, string reason, CancellationToken cancellationToken) =>
        SetAsync(runId, subscriberId, DeliveryStatus.Skipped, reason, null, cancellationToken);

    public Task MarkFailedAsync(long runId, long subscriberId, string reply, CancellationToken cancellationToken) =>
        SetAsync(runId, subscriberId, DeliveryStatus.Failed, reply, null, cancellationToken);

    public Task MarkRetryAsync(long runId, long subscriberId, string reply, DateTimeOffset nextAttempt, CancellationToken cancellationToken) =>
        SetAsync(runId, subscriberId, DeliveryStatus.Retry, reply, nextAttempt, cancellationToken);

    /// <summary>A mailbox that does not exist is never mailed again, by any edition.</summary>
    public async Task SuppressAsync(long subscriberId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE subscribers SET status = @suppressed WHERE id = @subscriberId",
            new { subscriberId, suppressed = SubscriberStatus.Suppressed });
    }

    /// <summary>Counts of the run's ledger entries by status.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, COUNT(*) FROM deliveries WHERE run_id = @runId GROUP BY status", new { runId });
        return rows.ToDictionary(r => r.Status, r => (int)r.Count);
    }

    private async Task SetAsync(long runId, long subscriberId, string status, string reply, DateTimeOffset? nextAttempt,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("""
            UPDATE deliveries SET status = @status, last_reply = @reply, next_attempt_at = @next, claim = NULL,
                   attempts = attempts + 1, updated_at = @now
            WHERE run_id = @runId AND subscriber_id = @subscriberId
            """, new
            {
                runId, subscriberId, status, reply,
                next = nextAttempt is { } at ? Clock.Format(at) : null,
                now = Clock.Format(time.GetUtcNow()),
            });
    }
}

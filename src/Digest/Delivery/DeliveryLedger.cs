using System.Data.Common;
using Dapper;
using Digest.Editions;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Delivery;

public static class DeliveryStatus
{
    public const string Pending = "pending";
    /// <summary>Claimed by a sender; a claim older than the claim timeout was cut off by a crash and is taken again.</summary>
    public const string Sending = "sending";
    public const string Sent = "sent";
    /// <summary>A 4xx or network failure: tried again from <c>next_attempt_at</c>.</summary>
    public const string Retry = "retry";
    /// <summary>A 5xx reply, or retries ran out: final for this run.</summary>
    public const string Failed = "failed";
    /// <summary>The subscriber left the edition after the run started.</summary>
    public const string Skipped = "skipped";
    /// <summary>None of the run's articles is on a topic the reader chose: nothing to send them this time.</summary>
    public const string NoMatch = "no-match";
}

/// <summary>
/// A ledger entry claimed for sending; <see cref="Claim"/> tells this sender's claim from a later one, <see cref="Topics"/>
/// is the reader's choice frozen with the run (JSON; null: everything).
/// </summary>
public sealed record DeliveryClaim(long SubscriberId, string MessageId, long Attempts, string Email, string Name,
    string SubscriberStatus, string? SubscriptionStatus, string Claim, string? Topics = null);

/// <summary>What became of one claimed entry: its new status, the server's reply, and when to try again.</summary>
/// <remarks>An outcome not <c>Charged</c> (the relay refused Digest itself) leaves the entry's attempts as they were.</remarks>
public sealed record DeliveryOutcome(long SubscriberId, string Status, string Reply, DateTimeOffset? NextAttempt = null, bool Suppress = false,
    bool Charged = true);

/// <summary>A contiguous slice of a run's audience, by subscriber ID: the unit of work of one batch job.</summary>
public sealed record SubscriberRange(long First, long Last)
{
    public static readonly SubscriberRange All = new(long.MinValue, long.MaxValue);
}

/// <summary>A recipient the run could not reach, with the server's last reply.</summary>
public sealed record FailedDelivery(long SubscriberId, string Email, string Status, long Attempts, string? LastReply, string UpdatedAt);

/// <summary>
/// The delivery ledger: one row per (run, subscriber), the truth about who has the digest. Senders claim rows in
/// small chunks, so two workers on the same run never send the same row at once, and record outcomes many at a
/// time (<see cref="RecordAsync"/>), so the ledger keeps up with the SMTP connections.
/// </summary>
public sealed class DeliveryLedger(Database database, IOptions<DeliveryOptions> options, TimeProvider time)
{
    /// <summary>
    /// Claims up to <paramref name="count"/> owed entries in the range: pending ones, retries due by
    /// <paramref name="retriesDueBy"/> (a pass leaves the retries it scheduled itself for a later pass), and claims
    /// older than the claim timeout.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryClaim>> ClaimAsync(long runId, SubscriberRange range, int count, DateTimeOffset retriesDueBy,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string claim = Guid.NewGuid().ToString("N");
        await using var connection = await database.OpenAsync(cancellationToken);
        IReadOnlyList<long> ids;
        using (await database.WriteTurnAsync(cancellationToken))
            ids = (await connection.QueryAsync<long>($"""
            -- The rows are picked once, then updated by key within the span they cover. Picked in a subquery of the update
            -- itself, PostgreSQL planned from the statistics it had before the run's audience was frozen (a run it had
            -- never seen: one row, it thought), joined the picking to every row of the run and ran it again for each,
            -- claiming thousands of rows in seconds instead of a chunk in a millisecond.
            WITH picked AS MATERIALIZED (
                SELECT subscriber_id FROM deliveries
                -- A pending copy with next_attempt_at waits for its subscriber's local hour (Editions:NAME:DeliverAt).
                WHERE run_id = @runId AND subscriber_id BETWEEN @first AND @last
                  AND ((status = @pending AND (next_attempt_at IS NULL OR next_attempt_at <= @now))
                    OR (status = @retry AND next_attempt_at <= @due)
                    OR (status = @sending AND updated_at < @stale))
                ORDER BY subscriber_id LIMIT @count
                {database.SkipLockedRows})
            UPDATE deliveries SET status = @sending, claim = @claim, updated_at = @now
            WHERE run_id = @runId
              AND subscriber_id BETWEEN (SELECT MIN(subscriber_id) FROM picked) AND (SELECT MAX(subscriber_id) FROM picked)
              AND subscriber_id IN (SELECT subscriber_id FROM picked)
              -- Repeated outside the picking: PostgreSQL re-checks only this level after waiting on a row another
              -- sender claimed meanwhile, and must then skip it.
              AND ((status = @pending AND (next_attempt_at IS NULL OR next_attempt_at <= @now)) OR (status = @retry AND next_attempt_at <= @now) OR (status = @sending AND updated_at < @stale))
            RETURNING subscriber_id
            """, new
            {
                runId, claim, count, first = range.First, last = range.Last,
                now = Clock.Format(now), due = Clock.Format(retriesDueBy < now ? retriesDueBy : now), stale = Clock.Format(now - options.Value.ClaimTimeout),
                sending = DeliveryStatus.Sending, pending = DeliveryStatus.Pending, retry = DeliveryStatus.Retry,
            })).ToList();
        if (ids.Count == 0)
            return [];
        // Read back by key range (the claimed IDs' span), not by scanning every claim the run has out.
        var claimed = await connection.QueryAsync<DeliveryClaim>("""
            SELECT d.subscriber_id AS SubscriberId, d.message_id AS MessageId, d.attempts AS Attempts, p.email AS Email,
                   p.name AS Name, p.status AS SubscriberStatus, s.status AS SubscriptionStatus, d.claim AS Claim,
                   d.topics AS Topics
            FROM deliveries d
            JOIN subscribers p ON p.id = d.subscriber_id
            JOIN runs r ON r.id = d.run_id
            LEFT JOIN subscriptions s ON s.subscriber_id = d.subscriber_id AND s.edition = COALESCE(r.audience, r.edition)
            WHERE d.run_id = @runId AND d.subscriber_id BETWEEN @low AND @high AND d.claim = @claim AND d.status = @sending
            ORDER BY d.subscriber_id
            """, new { runId, claim, sending = DeliveryStatus.Sending, low = ids.Min(), high = ids.Max() });
        return claimed.ToList();
    }

    /// <summary>
    /// Renews a claim that waited long in this sender's queue, so that no other sender takes it as cut off by a crash;
    /// false when one already has (it is then that sender's to send, not this one's).
    /// </summary>
    public async Task<bool> RenewClaimAsync(long runId, DeliveryClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using (await database.WriteTurnAsync(cancellationToken))
            return await connection.ExecuteAsync("""
                UPDATE deliveries SET updated_at = @now
                WHERE run_id = @runId AND subscriber_id = @SubscriberId AND claim = @Claim AND status = @sending
                """, new { runId, claim.SubscriberId, claim.Claim, now = Clock.Format(time.GetUtcNow()), sending = DeliveryStatus.Sending }) == 1;
    }

    /// <summary>A connection for recording outcomes, kept open by the caller between commits.</summary>
    public Task<OutcomeRecorder> OpenRecorderAsync(CancellationToken cancellationToken) => OutcomeRecorder.OpenAsync(database, cancellationToken);

    /// <summary>
    /// Records many outcomes in one transaction (one commit instead of one per message). A mailbox that does not
    /// exist is suppressed in the same transaction, so it is never mailed again by any edition.
    /// </summary>
    public async Task RecordAsync(OutcomeRecorder recorder, IReadOnlyCollection<(long RunId, DeliveryOutcome Outcome)> outcomes,
        CancellationToken cancellationToken)
    {
        string now = Clock.Format(time.GetUtcNow());
        using var turn = await database.WriteTurnAsync(cancellationToken);
        // In key order, as every writer of the ledger locks rows: two transactions that lock the same rows in
        // different orders deadlock on PostgreSQL.
        await recorder.WriteAsync(now, outcomes.OrderBy(o => o.RunId).ThenBy(o => o.Outcome.SubscriberId).ToList(), cancellationToken);
    }

    /// <summary>
    /// Cuts the run's still-owed entries into ranges of about <paramref name="size"/> subscribers, for one batch
    /// job each. Computed in the store, so a million-subscriber run is never read into memory. The derived table is
    /// named (<c>AS owed</c>): PostgreSQL before 16 refuses a subquery in FROM without an alias.
    /// </summary>
    public async Task<IReadOnlyList<SubscriberRange>> OwedRangesAsync(long runId, int size, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var ranges = await connection.QueryAsync<(long First, long Last)>("""
            SELECT MIN(subscriber_id), MAX(subscriber_id) FROM (
                SELECT subscriber_id, (ROW_NUMBER() OVER (ORDER BY subscriber_id) - 1) / @size AS batch
                FROM deliveries WHERE run_id = @runId AND status IN (@pending, @sending, @retry)) AS owed
            GROUP BY batch ORDER BY batch
            """, new { runId, size, pending = DeliveryStatus.Pending, sending = DeliveryStatus.Sending, retry = DeliveryStatus.Retry });
        return ranges.Select(r => new SubscriberRange(r.First, r.Last)).ToList();
    }

    /// <summary>
    /// When the run's next entry becomes claimable that is not claimable now: a retry falling due, or a claim
    /// running out (its sender crashed, or is still sending). Null when nothing is waiting.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var (retry, claimed) = await connection.QuerySingleAsync<(string? Retry, string? Claimed)>("""
            SELECT (SELECT MIN(next_attempt_at) FROM deliveries WHERE run_id = @runId AND status = @retry),
                   (SELECT MIN(updated_at) FROM deliveries WHERE run_id = @runId AND status = @sending)
            """, new { runId, retry = DeliveryStatus.Retry, sending = DeliveryStatus.Sending });
        DateTimeOffset?[] due = [retry is null ? null : Clock.Parse(retry), claimed is null ? null : Clock.Parse(claimed) + options.Value.ClaimTimeout];
        return due.Min();
    }

    /// <summary>How many of the run's entries in <paramref name="range"/> wait for another attempt.</summary>
    public async Task<int> RetryingAsync(long runId, SubscriberRange range, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (int)await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM deliveries WHERE run_id = @runId AND status = @retry AND subscriber_id BETWEEN @first AND @last",
            new { runId, retry = DeliveryStatus.Retry, first = range.First, last = range.Last });
    }

    /// <summary>Counts of the run's ledger entries by status.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, COUNT(*) FROM deliveries WHERE run_id = @runId GROUP BY status", new { runId });
        return rows.ToDictionary(r => r.Status, r => (int)r.Count);
    }

    /// <summary>How many of the run's messages were accepted since <paramref name="since"/>: the recent sending rate.</summary>
    public async Task<int> SentSinceAsync(long runId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM deliveries WHERE run_id = @runId AND status = @sent AND updated_at >= @since",
            new { runId, sent = DeliveryStatus.Sent, since = Clock.Format(since) });
    }

    /// <summary>When the run's first and last delivered copies were sent; null when none was.</summary>
    public async Task<(DateTimeOffset First, DateTimeOffset Last)?> SentBetweenAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var (first, last) = await connection.QuerySingleAsync<(string? First, string? Last)>(
            "SELECT MIN(updated_at), MAX(updated_at) FROM deliveries WHERE run_id = @runId AND status = @sent",
            new { runId, sent = DeliveryStatus.Sent });
        return first is null || last is null ? null : (Clock.Parse(first), Clock.Parse(last));
    }

    /// <summary>The run's recipients that failed for good or are waiting for a retry, with the server's reply.</summary>
    public async Task<IReadOnlyList<FailedDelivery>> FailedAsync(long runId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FailedDelivery>("""
            SELECT d.subscriber_id AS SubscriberId, p.email AS Email, d.status AS Status, d.attempts AS Attempts,
                   d.last_reply AS LastReply, d.updated_at AS UpdatedAt
            FROM deliveries d JOIN subscribers p ON p.id = d.subscriber_id
            WHERE d.run_id = @runId AND d.status IN (@failed, @retry)
            ORDER BY d.status, d.subscriber_id LIMIT @limit
            """, new { runId, limit, failed = DeliveryStatus.Failed, retry = DeliveryStatus.Retry });
        return rows.ToList();
    }

    /// <summary>
    /// The run's copies held for their subscriber's local hour (Editions:NAME:DeliverAt), counted per subscriber
    /// time zone (null: none of their own) and release time, earliest first.
    /// </summary>
    public async Task<IReadOnlyList<(string? TimeZone, string Until, int Copies)>> HeldAsync(long runId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string? TimeZone, string Until, int Copies)>("""
            SELECT p.time_zone, d.next_attempt_at, COUNT(*)
            FROM deliveries d JOIN subscribers p ON p.id = d.subscriber_id
            WHERE d.run_id = @runId AND d.status = @pending AND d.next_attempt_at > @now
            GROUP BY p.time_zone, d.next_attempt_at
            ORDER BY d.next_attempt_at
            """, new { runId, now = Clock.Format(now), pending = DeliveryStatus.Pending });
        return rows.ToList();
    }

    /// <summary>
    /// Makes the run's permanently failed entries owed again (e.g. after the operator fixed a policy refusal) and
    /// reopens the run. Suppressed subscribers stay failed: they are skipped when their turn comes.
    /// </summary>
    public async Task<int> ReopenFailedAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int reopened = await connection.ExecuteAsync("""
            UPDATE deliveries SET status = @pending, next_attempt_at = NULL, claim = NULL, updated_at = @now
            WHERE run_id = @runId AND status = @failed
            """, new { runId, pending = DeliveryStatus.Pending, failed = DeliveryStatus.Failed, now = Clock.Format(time.GetUtcNow()) }, transaction);
        if (reopened > 0)
            await connection.ExecuteAsync("UPDATE runs SET status = @sending, completed_at = NULL WHERE id = @runId",
                new { runId, sending = RunStatus.Sending }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return reopened;
    }
}

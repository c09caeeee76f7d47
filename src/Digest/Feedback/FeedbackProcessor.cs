using System.Data.Common;
using Dapper;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Feedback;

/// <summary>
/// Acts on classified feedback, whichever way it came (the mailbox, a relay's webhook): hard bounces and complaints
/// suppress, soft bounces count towards <see cref="FeedbackOptions.SoftBounceLimit"/>, unsubscribes unsubscribe.
/// Each piece is recorded once under its source key (the message's Message-ID, the relay's event id) in the same
/// transaction as its effect, so processing it again changes nothing.
/// </summary>
public sealed class FeedbackProcessor(Database database, IOptionsMonitor<FeedbackOptions> options, TimeProvider time, ILogger<FeedbackProcessor> logger)
{
    private sealed record Target(long SubscriberId, string Email, long? RunId, string? Edition);

    public async Task<FeedbackResult> ApplyAsync(string sourceKey, string source, FeedbackReport report, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        using var turn = await database.WriteTurnAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previous = await connection.QuerySingleOrDefaultAsync<(string Kind, string Effect, long? SubscriberId, long? RunId)?>(
            "SELECT kind, effect, subscriber_id, run_id FROM feedback_events WHERE source_key = @sourceKey", new { sourceKey }, transaction);
        if (previous is { } done)
            return new FeedbackResult(done.Kind, done.Effect, done.SubscriberId, await EmailAsync(connection, transaction, done.SubscriberId), done.RunId, Duplicate: true);

        var target = await TargetAsync(connection, transaction, report);
        if (target is { RunId: null })
            // Named by address only (an emailed unsubscribe, a relay's event): the latest run it got counts it.
            target = target with { RunId = await LatestRunAsync(connection, transaction, target.SubscriberId, report.Edition) };
        var (effect, counted) = target is null
            ? (NobodyKnown(report), false)
            : await ActAsync(connection, transaction, report, target, now);
        string kind = target is null && report.Kind is not FeedbackKind.Ignored ? FeedbackKind.Unrecognised : report.Kind;
        await Record(connection, transaction, sourceKey, source, kind, target?.RunId, target?.SubscriberId,
            report.Edition ?? target?.Edition, report.Reason, effect, counted, now);
        await transaction.CommitAsync(cancellationToken);

        if (target is not null && kind != FeedbackKind.Ignored)
            // The subscriber by number only: feedback logs outlive the address (see Subscribers:Retention).
            logger.LogInformation("Feedback ({Source}) for subscriber {SubscriberId}, run {RunId}: {Kind}, {Effect}: {Reason}",
                source, target.SubscriberId, target.RunId, kind, effect, report.Reason);
        return new FeedbackResult(kind, effect, target?.SubscriberId, target?.Email, target?.RunId);
    }

    /// <summary>Records one event (also used for one-click unsubscribes, which act by themselves).</summary>
    internal static Task Record(DbConnection connection, DbTransaction transaction, string sourceKey, string source, string kind,
        long? runId, long? subscriberId, string? edition, string? reason, string effect, bool counted, DateTimeOffset at) =>
        connection.ExecuteAsync("""
            INSERT INTO feedback_events (source_key, source, kind, run_id, subscriber_id, edition, reason, effect, counted, received_at)
            VALUES (@sourceKey, @source, @kind, @runId, @subscriberId, @edition, @reason, @effect, @counted, @at)
            ON CONFLICT (source_key) DO NOTHING
            """, new { sourceKey, source, kind, runId, subscriberId, edition, reason, effect, counted = counted ? 1L : 0L, at = Clock.Format(at) }, transaction);

    /// <summary>The latest run (of <paramref name="edition"/>'s audience, when given) the subscriber was sent, for feedback that names no run.</summary>
    internal static Task<long?> LatestRunAsync(DbConnection connection, DbTransaction transaction, long subscriberId, string? edition) =>
        connection.ExecuteScalarAsync<long?>($"""
            SELECT MAX(d.run_id) FROM deliveries d JOIN runs r ON r.id = d.run_id
            WHERE d.subscriber_id = @subscriberId AND d.status = @sent {(edition is null ? "" : "AND COALESCE(r.audience, r.edition) = @edition")}
            """, new { subscriberId, edition, sent = Delivery.DeliveryStatus.Sent }, transaction);

    /// <summary>
    /// Whom the report concerns. A copy (return path or Message-ID) counts only when the ledger holds it; an emailed
    /// unsubscribe only when its sender is that subscriber (or, without a copy, any subscriber with the sender's address).
    /// </summary>
    private static async Task<Target?> TargetAsync(DbConnection connection, DbTransaction transaction, FeedbackReport report)
    {
        Target? byCopy = null;
        if (report.Copy is { } copy)
            byCopy = await connection.QuerySingleOrDefaultAsync<Target>("""
                SELECT p.id AS SubscriberId, p.email AS Email, d.run_id AS RunId, COALESCE(r.audience, r.edition) AS Edition
                FROM deliveries d JOIN subscribers p ON p.id = d.subscriber_id JOIN runs r ON r.id = d.run_id
                WHERE d.run_id = @RunId AND d.subscriber_id = @SubscriberId
                """, copy, transaction);
        if (report.Kind == FeedbackKind.Unsubscribe)
        {
            if (report.Sender is null)
                return null;
            if (byCopy is not null)
                return string.Equals(byCopy.Email, report.Sender, StringComparison.OrdinalIgnoreCase) ? byCopy : null;
            return await ByEmailAsync(connection, transaction, report.Sender);
        }
        if (byCopy is not null || report.Recipient is null)
            return byCopy;
        return await ByEmailAsync(connection, transaction, report.Recipient);
    }

    private static async Task<Target?> ByEmailAsync(DbConnection connection, DbTransaction transaction, string email)
    {
        var found = await connection.QuerySingleOrDefaultAsync<(long Id, string Email)?>(
            "SELECT id, email FROM subscribers WHERE email = @email", new { email = email.Trim().ToLowerInvariant() }, transaction);
        return found is { } subscriber ? new Target(subscriber.Id, subscriber.Email, null, null) : null;
    }

    private async Task<(string Effect, bool Counted)> ActAsync(DbConnection connection, DbTransaction transaction, FeedbackReport report,
        Target target, DateTimeOffset now)
    {
        var settings = options.CurrentValue;
        switch (report.Kind)
        {
            case FeedbackKind.HardBounce:
                return (await SuppressAsync(connection, transaction, target.SubscriberId) ? "suppressed" : "already suppressed", true);
            case FeedbackKind.SoftBounce:
            {
                long earlier = await connection.ExecuteScalarAsync<long>("""
                    SELECT COUNT(*) FROM feedback_events
                    WHERE subscriber_id = @id AND kind = @soft AND counted = 1 AND received_at >= @since
                    """, new { id = target.SubscriberId, soft = FeedbackKind.SoftBounce, since = Clock.Format(now - settings.SoftBounceWindow) }, transaction);
                long count = earlier + 1;
                string tally = $"soft bounce {count} of {settings.SoftBounceLimit} within {settings.SoftBounceWindow.TotalDays:0.##} days";
                if (count < settings.SoftBounceLimit)
                    return (tally, true);
                return ($"{tally}: {(await SuppressAsync(connection, transaction, target.SubscriberId) ? "suppressed" : "already suppressed")}", true);
            }
            case FeedbackKind.Complaint:
                await UnsubscribeAsync(connection, transaction, target.SubscriberId, edition: null, now);
                await SuppressAsync(connection, transaction, target.SubscriberId);
                return ("unsubscribed from every edition and suppressed", true);
            case FeedbackKind.Unsubscribe:
            {
                string? edition = report.Edition ?? target.Edition;
                int changed = await UnsubscribeAsync(connection, transaction, target.SubscriberId, edition, now);
                string which = edition is null ? "every edition" : edition;
                // One unsubscription whichever way it came first: a second (one-click after mailto, or the reverse) is not counted.
                return changed > 0 ? ($"unsubscribed from {which}", true) : ($"already unsubscribed from {which}", false);
            }
            default:
                return ("ignored", false);
        }
    }

    private static string NobodyKnown(FeedbackReport report) => report.Kind switch
    {
        FeedbackKind.Ignored => "ignored",
        FeedbackKind.Unrecognised => "left for a person",
        FeedbackKind.Unsubscribe => $"left for a person: the sender {report.Sender ?? "(none)"} is not the subscriber",
        _ => "left for a person: it names no copy or subscriber Digest knows",
    };

    private static async Task<bool> SuppressAsync(DbConnection connection, DbTransaction transaction, long id) =>
        await connection.ExecuteAsync("UPDATE subscribers SET status = @suppressed WHERE id = @id AND status <> @suppressed",
            new { id, suppressed = SubscriberStatus.Suppressed }, transaction) > 0;

    private static Task<int> UnsubscribeAsync(DbConnection connection, DbTransaction transaction, long id, string? edition, DateTimeOffset now) =>
        connection.ExecuteAsync($"""
            UPDATE subscriptions SET status = @unsubscribed, updated_at = @now
            WHERE subscriber_id = @id AND status <> @unsubscribed {(edition is null ? "" : "AND edition = @edition")}
            """, new { id, edition, unsubscribed = SubscriberStatus.Unsubscribed, now = Clock.Format(now) }, transaction);

    private static async Task<string?> EmailAsync(DbConnection connection, DbTransaction transaction, long? id) =>
        id is null ? null : await connection.ExecuteScalarAsync<string?>("SELECT email FROM subscribers WHERE id = @id", new { id }, transaction);
}

using System.Data.Common;
using Dapper;
using Digest.Storage;

namespace Digest.Subscribers;

/// <summary>A subscriber's editions, own time zone (null: each edition's) and whether they are paused, as their preferences page shows them.</summary>
public sealed record SubscriberPreferences(Subscriber Subscriber, IReadOnlySet<string> Editions, string? TimeZone)
{
    public bool Paused => Subscriber.Status == SubscriberStatus.Paused;
}

/// <summary>
/// What subscribers do to themselves: sign up (double opt-in), confirm, choose editions, pause, leave. Only a
/// confirmed subscriber with a confirmed subscription is in an edition's audience.
/// </summary>
public sealed class SubscriberLifecycle(Database database, TimeProvider time)
{
    /// <summary>
    /// Records a sign-up awaiting confirmation and returns whom to send the confirmation to; null for an address
    /// that must never be mailed (suppressed). Signing up again changes nothing already confirmed, and never the
    /// name of a known address: whoever submits the form cannot tell, or alter, what was there.
    /// </summary>
    public async Task<Subscriber?> SignUpAsync(string email, string name, IEnumerable<string> editions, CancellationToken cancellationToken = default)
    {
        string now = Clock.Format(time.GetUtcNow());
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("""
            INSERT INTO subscribers (email, name, status, created_at) VALUES (@email, @name, @pending, @now)
            ON CONFLICT (email) DO NOTHING
            """, new { email, name, pending = SubscriberStatus.Pending, now }, transaction);
        var subscriber = await connection.QuerySingleAsync<Subscriber>(
            "SELECT id, email, name, status FROM subscribers WHERE email = @email", new { email }, transaction);
        if (subscriber.Status == SubscriberStatus.Suppressed)
            return null;
        foreach (string edition in editions.Select(e => e.ToLowerInvariant()).Distinct())
        {
            var values = new { id = subscriber.Id, edition, pending = SubscriberStatus.Pending, unsubscribed = SubscriberStatus.Unsubscribed, now };
            await connection.ExecuteAsync("""
                INSERT INTO subscriptions (subscriber_id, edition, status, updated_at) VALUES (@id, @edition, @pending, @now)
                ON CONFLICT (subscriber_id, edition) DO NOTHING
                """, values, transaction);
            await connection.ExecuteAsync("""
                UPDATE subscriptions SET status = @pending, updated_at = @now
                WHERE subscriber_id = @id AND edition = @edition AND status = @unsubscribed
                """, values, transaction);
        }
        await transaction.CommitAsync(cancellationToken);
        return subscriber;
    }

    /// <summary>
    /// Whether a confirmation email may go to the subscriber now: true for at most one caller per
    /// <paramref name="every"/>, however many ask at once and in however many processes, because the database decides
    /// (one conditional UPDATE). A caller whose mail then fails hands the turn back with <see cref="ReleaseConfirmationMailAsync"/>.
    /// </summary>
    public async Task<DateTimeOffset?> ClaimConfirmationMailAsync(long id, TimeSpan every, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        int claimed = await connection.ExecuteAsync("""
            UPDATE subscribers SET confirmation_sent_at = @now
            WHERE id = @id AND (confirmation_sent_at IS NULL OR confirmation_sent_at <= @before)
            """, new { id, now = Clock.Format(now), before = Clock.Format(now - every) });
        return claimed == 1 ? now : null;
    }

    /// <summary>Gives back a claim whose mail could not be sent, so the next request may try at once.</summary>
    public async Task ReleaseConfirmationMailAsync(long id, DateTimeOffset claimedAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE subscribers SET confirmation_sent_at = NULL WHERE id = @id AND confirmation_sent_at = @claimedAt",
            new { id, claimedAt = Clock.Format(claimedAt) });
    }

    /// <summary>Confirms the address and every edition awaiting confirmation. Confirming twice is harmless.</summary>
    public async Task<Subscriber?> ConfirmAsync(long id, CancellationToken cancellationToken = default)
    {
        string now = Clock.Format(time.GetUtcNow());
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("""
            UPDATE subscribers SET status = @confirmed WHERE id = @id AND status IN (@pending, @unsubscribed)
            """, new { id, confirmed = SubscriberStatus.Confirmed, pending = SubscriberStatus.Pending, unsubscribed = SubscriberStatus.Unsubscribed }, transaction);
        await connection.ExecuteAsync("""
            UPDATE subscriptions SET status = @confirmed, updated_at = @now WHERE subscriber_id = @id AND status = @pending
            """, new { id, confirmed = SubscriberStatus.Confirmed, pending = SubscriberStatus.Pending, now }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return await SubscriberStore.FindAsync(connection, id);
    }

    /// <summary>The editions a subscriber asked for and has not yet confirmed, as the confirmation email names them.</summary>
    public async Task<IReadOnlyList<string>> PendingEditionsAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>("SELECT edition FROM subscriptions WHERE subscriber_id = @id AND status = @pending ORDER BY edition",
            new { id, pending = SubscriberStatus.Pending })).ToList();
    }

    public async Task<SubscriberPreferences?> PreferencesAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var subscriber = await SubscriberStore.FindAsync(connection, id);
        if (subscriber is null)
            return null;
        var editions = await connection.QueryAsync<string>(
            "SELECT edition FROM subscriptions WHERE subscriber_id = @id AND status = @confirmed",
            new { id, confirmed = SubscriberStatus.Confirmed });
        string? zone = await connection.ExecuteScalarAsync<string?>("SELECT time_zone FROM subscribers WHERE id = @id", new { id });
        return new SubscriberPreferences(subscriber, editions.ToHashSet(StringComparer.OrdinalIgnoreCase), zone);
    }

    /// <summary>
    /// Makes exactly <paramref name="editions"/> the subscriber's editions (an empty set leaves every edition) and
    /// pauses or resumes them. Takes effect for the next run. A suppressed address stays suppressed.
    /// </summary>
    public async Task<SubscriberPreferences?> SaveAsync(long id, IReadOnlyCollection<string> editions, bool paused, CancellationToken cancellationToken = default)
    {
        string now = Clock.Format(time.GetUtcNow());
        var chosen = editions.Select(e => e.ToLowerInvariant()).Distinct().ToList();
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var subscriber = await connection.QuerySingleOrDefaultAsync<Subscriber>(
                "SELECT id, email, name, status FROM subscribers WHERE id = @id", new { id }, transaction);
            if (subscriber is null)
                return null;
            await connection.ExecuteAsync("""
                UPDATE subscriptions SET status = @unsubscribed, updated_at = @now WHERE subscriber_id = @id AND status <> @unsubscribed
                """, new { id, unsubscribed = SubscriberStatus.Unsubscribed, now }, transaction);
            foreach (string edition in chosen)
                await connection.ExecuteAsync("""
                    INSERT INTO subscriptions (subscriber_id, edition, status, updated_at) VALUES (@id, @edition, @confirmed, @now)
                    ON CONFLICT (subscriber_id, edition) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                    """, new { id, edition, confirmed = SubscriberStatus.Confirmed, now }, transaction);
            if (subscriber.Status != SubscriberStatus.Suppressed)
                await connection.ExecuteAsync("UPDATE subscribers SET status = @status WHERE id = @id", new
                {
                    id,
                    status = chosen.Count == 0 ? SubscriberStatus.Unsubscribed : paused ? SubscriberStatus.Paused : SubscriberStatus.Confirmed,
                }, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
        return await PreferencesAsync(id, cancellationToken);
    }
}

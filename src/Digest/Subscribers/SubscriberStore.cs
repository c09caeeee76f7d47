using System.Data.Common;
using Dapper;
using Digest.Feedback;
using Digest.Storage;

namespace Digest.Subscribers;

/// <summary>Subscribers and their per-edition subscriptions.</summary>
public sealed class SubscriberStore(Database database, TimeProvider time)
{
    /// <summary>
    /// Adds (or updates the name of) a subscriber and subscribes them, confirmed, to the given editions.
    /// Adding an address twice merges into one subscriber.
    /// </summary>
    public async Task<Subscriber> AddConfirmedAsync(string email, string name, IEnumerable<string> editions,
        CancellationToken cancellationToken = default)
    {
        string now = Clock.Format(time.GetUtcNow());
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO subscribers (email, name, status, created_at) VALUES (@email, @name, @status, @now)
            ON CONFLICT (email) DO UPDATE SET name = CASE WHEN excluded.name = '' THEN subscribers.name ELSE excluded.name END,
                                             status = CASE WHEN subscribers.status = 'suppressed' THEN subscribers.status ELSE excluded.status END
            RETURNING id
            """, new { email, name, status = SubscriberStatus.Confirmed, now }, transaction);
        foreach (string edition in editions.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            await connection.ExecuteAsync("""
                INSERT INTO subscriptions (subscriber_id, edition, status, updated_at) VALUES (@id, @edition, @status, @now)
                ON CONFLICT (subscriber_id, edition) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                """, new { id, edition = edition.ToLowerInvariant(), status = SubscriberStatus.Confirmed, now }, transaction);
        }
        await transaction.CommitAsync(cancellationToken);
        return (await FindAsync(id, cancellationToken))!;
    }

    public async Task<Subscriber?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Subscriber>(
            "SELECT id, email, name, status FROM subscribers WHERE id = @id", new { id });
    }

    public async Task<IReadOnlyList<Subscriber>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<Subscriber>("SELECT id, email, name, status FROM subscribers ORDER BY id")).ToList();
    }

    /// <summary>Whether the subscriber currently receives the edition.</summary>
    public async Task<bool> IsSubscribedAsync(long id, string edition, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM subscriptions s JOIN subscribers p ON p.id = s.subscriber_id
            WHERE s.subscriber_id = @id AND s.edition = @edition AND s.status = 'confirmed' AND p.status = 'confirmed'
            """, new { id, edition }) > 0;
    }

    /// <summary>
    /// Stops one edition for a subscriber at once; returns false when there was nothing to stop. An unsubscription
    /// is recorded as feedback on the edition's latest run the subscriber got, once, whichever way (link or email)
    /// came first.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(long id, string edition, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int changed = await connection.ExecuteAsync("""
            UPDATE subscriptions SET status = @status, updated_at = @now
            WHERE subscriber_id = @id AND edition = @edition AND status <> @status
            """, new { id, edition, status = SubscriberStatus.Unsubscribed, now = Clock.Format(now) }, transaction);
        if (changed > 0)
            await FeedbackProcessor.Record(connection, transaction, $"one-click:{id}:{edition}:{Clock.Format(now)}", FeedbackSource.OneClick,
                FeedbackKind.Unsubscribe, await FeedbackProcessor.LatestRunAsync(connection, transaction, id, edition), id, edition,
                "the unsubscribe link", $"unsubscribed from {edition}", counted: true, now);
        await transaction.CommitAsync(cancellationToken);
        return changed > 0;
    }

    /// <summary>
    /// Sets the subscriber's own IANA time zone (null: the edition's), for editions delivered at a local hour.
    /// Returns false when there is no such subscriber.
    /// </summary>
    public async Task<bool> SetTimeZoneAsync(long id, string? timeZone, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE subscribers SET time_zone = @timeZone WHERE id = @id", new { id, timeZone }) > 0;
    }

    /// <summary>
    /// Sets the topics the subscriber reads (normalised, <see cref="Articles.ArticleTopics"/>); none chosen means
    /// everything. A run already started keeps the choice it froze. Returns false when there is no such subscriber.
    /// </summary>
    public async Task<bool> SetTopicsAsync(long id, IReadOnlyList<string> topics, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE subscribers SET topics = @topics WHERE id = @id",
            new { id, topics = topics.Count == 0 ? null : Articles.ArticleTopics.ToJson(topics) }) > 0;
    }

    /// <summary>The topics the subscriber chose; empty: everything.</summary>
    public async Task<IReadOnlyList<string>> TopicsAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return Articles.ArticleTopics.FromJson(await connection.ExecuteScalarAsync<string?>("SELECT topics FROM subscribers WHERE id = @id", new { id }));
    }

    /// <summary>Renames a subscriber (an editor's correction); false when there is no such subscriber.</summary>
    public async Task<bool> SetNameAsync(long id, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE subscribers SET name = @name WHERE id = @id", new { id, name }) > 0;
    }

    /// <summary>The distinct time zones among an edition's confirmed subscribers; null stands for "the edition's own".</summary>
    public async Task<IReadOnlyList<string?>> AudienceTimeZonesAsync(string edition, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string?>(
            $"SELECT DISTINCT p.time_zone FROM ({AudienceQuery}) a JOIN subscribers p ON p.id = a.id", new { edition })).ToList();
    }

    /// <summary>Confirmed subscribers of an edition, in id order (the order runs fan out in).</summary>
    internal static string AudienceQuery => """
        SELECT p.id FROM subscribers p JOIN subscriptions s ON s.subscriber_id = p.id
        WHERE s.edition = @edition AND s.status = 'confirmed' AND p.status = 'confirmed'
        """;

    /// <summary>
    /// The audience's confirmed subscribers with IDs in (<c>@after</c>, <c>@last</c>], in ID order, with their time zones
    /// and chosen topics:
    /// the chunk a run's audience is frozen in. The range is put on both tables, so each index is entered where the chunk
    /// starts (through <see cref="AudienceQuery"/>'s join PostgreSQL scanned every earlier subscriber for each chunk).
    /// Ordered by <c>s.subscriber_id</c>, the index's own order: ordered by <c>p.id</c>, SQLite sorts the whole rest of
    /// the audience for every chunk.
    /// </summary>
    internal static string AudienceChunkQuery => """
        SELECT p.id AS Id, p.time_zone AS TimeZone, p.topics AS Topics FROM subscriptions s JOIN subscribers p ON p.id = s.subscriber_id
        WHERE s.edition = @edition AND s.status = 'confirmed' AND p.status = 'confirmed'
          AND s.subscriber_id > @after AND p.id > @after AND s.subscriber_id <= @last AND p.id <= @last
        """;

    internal static async Task<Subscriber?> FindAsync(DbConnection connection, long id) =>
        await connection.QuerySingleOrDefaultAsync<Subscriber>(
            "SELECT id, email, name, status FROM subscribers WHERE id = @id", new { id });
}

using System.Text;
using Dapper;
using Digest.Storage;

namespace Digest.Subscribers;

/// <summary>A subscriber with the editions they currently receive (confirmed subscriptions).</summary>
public sealed record SubscriberListing(Subscriber Subscriber, IReadOnlyList<string> Editions);

/// <summary>What editors filter the subscriber list by; null means "any".</summary>
public sealed record SubscriberFilter(string? Text = null, string? Status = null, string? Edition = null);

/// <summary>Editors' view of subscribers: search by address or name, filter by status and edition; bulk import.</summary>
public sealed class SubscriberDirectory(Database database, TimeProvider time)
{
    /// <summary>
    /// Adds imported rows in one transaction. A new address is added confirmed (the editor vouches for consent). A
    /// known address is merged: it gains only editions it never had, so an import never resubscribes someone who
    /// unsubscribed, and never changes a status or a name.
    /// </summary>
    public async Task<ImportReport> ImportAsync(IReadOnlyList<ImportRow> rows, IReadOnlyList<RejectedRow> rejected, CancellationToken cancellationToken = default)
    {
        string now = Clock.Format(time.GetUtcNow());
        int added = 0;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var row in rows)
        {
            added += await connection.ExecuteAsync("""
                INSERT INTO subscribers (email, name, status, created_at) VALUES (@Email, @Name, @confirmed, @now)
                ON CONFLICT (email) DO NOTHING
                """, new { row.Email, row.Name, confirmed = SubscriberStatus.Confirmed, now }, transaction);
            long id = await connection.ExecuteScalarAsync<long>("SELECT id FROM subscribers WHERE email = @Email", new { row.Email }, transaction);
            foreach (string edition in row.Editions)
                await connection.ExecuteAsync("""
                    INSERT INTO subscriptions (subscriber_id, edition, status, updated_at) VALUES (@id, @edition, @confirmed, @now)
                    ON CONFLICT (subscriber_id, edition) DO NOTHING
                    """, new { id, edition, confirmed = SubscriberStatus.Confirmed, now }, transaction);
        }
        await transaction.CommitAsync(cancellationToken);
        return new ImportReport(added, rows.Count - added, rejected);
    }

    private sealed record SubscriptionRow(long SubscriberId, string Edition);

    public async Task<IReadOnlyList<SubscriberListing>> SearchAsync(SubscriberFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        // Only the filters given become SQL: PostgreSQL cannot type a parameter that is only ever compared to NULL.
        var where = new StringBuilder("WHERE 1 = 1");
        if (!string.IsNullOrWhiteSpace(filter.Text))
            where.Append(" AND (p.email LIKE @like ESCAPE '\\' OR LOWER(p.name) LIKE @like ESCAPE '\\')");
        if (!string.IsNullOrWhiteSpace(filter.Status))
            where.Append(" AND p.status = @status");
        if (!string.IsNullOrWhiteSpace(filter.Edition))
            where.Append(" AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = p.id AND s.edition = @edition AND s.status = @confirmed)");
        var parameters = new
        {
            like = $"%{Escape(filter.Text?.Trim().ToLowerInvariant() ?? "")}%",
            status = filter.Status,
            edition = filter.Edition?.ToLowerInvariant(),
            confirmed = SubscriberStatus.Confirmed,
            limit,
        };

        await using var connection = await database.OpenAsync(cancellationToken);
        var subscribers = (await connection.QueryAsync<Subscriber>(
            $"SELECT p.id, p.email, p.name, p.status FROM subscribers p {where} ORDER BY p.id LIMIT @limit", parameters)).ToList();
        if (subscribers.Count == 0)
            return [];
        var subscriptions = (await connection.QueryAsync<SubscriptionRow>("""
            SELECT subscriber_id AS SubscriberId, edition AS Edition FROM subscriptions
            WHERE subscriber_id BETWEEN @first AND @last AND status = @confirmed ORDER BY edition
            """, new { first = subscribers[0].Id, last = subscribers[^1].Id, confirmed = SubscriberStatus.Confirmed }))
            .ToLookup(s => s.SubscriberId, s => s.Edition);
        return subscribers.Select(s => new SubscriberListing(s, subscriptions[s.Id].ToList())).ToList();
    }

    /// <summary>LIKE wildcards typed into the search box (an address like a_b@x.org) are searched for literally.</summary>
    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}

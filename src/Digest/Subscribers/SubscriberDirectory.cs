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

    public Task<IReadOnlyList<SubscriberListing>> SearchAsync(SubscriberFilter filter, int limit, CancellationToken cancellationToken = default) =>
        PageAsync(filter, 0, limit, cancellationToken);

    /// <summary>The matching subscribers from the <paramref name="offset"/>-th on, in ID order.</summary>
    public async Task<IReadOnlyList<SubscriberListing>> PageAsync(SubscriberFilter filter, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var (where, parameters) = Where(filter, offset, limit);
        await using var connection = await database.OpenAsync(cancellationToken);
        var subscribers = (await connection.QueryAsync<Subscriber>(
            $"SELECT p.id, p.email, p.name, p.status FROM subscribers p {where} ORDER BY p.id LIMIT @limit OFFSET @offset", parameters)).ToList();
        if (subscribers.Count == 0)
            return [];
        var subscriptions = (await connection.QueryAsync<SubscriptionRow>("""
            SELECT subscriber_id AS SubscriberId, edition AS Edition FROM subscriptions
            WHERE subscriber_id BETWEEN @first AND @last AND status = @confirmed ORDER BY edition
            """, new { first = subscribers[0].Id, last = subscribers[^1].Id, confirmed = SubscriberStatus.Confirmed }))
            .ToLookup(s => s.SubscriberId, s => s.Edition);
        return subscribers.Select(s => new SubscriberListing(s, subscriptions[s.Id].ToList())).ToList();
    }

    /// <summary>How many subscribers match, for the totals a list shows beside one page of them.</summary>
    public async Task<int> CountAsync(SubscriberFilter filter, CancellationToken cancellationToken = default)
    {
        var (where, parameters) = Where(filter, 0, 0);
        await using var connection = await database.OpenAsync(cancellationToken);
        return (int)await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM subscribers p {where}", parameters);
    }

    private static (string Where, object Parameters) Where(SubscriberFilter filter, int offset, int limit)
    {
        // Only the filters given become SQL: PostgreSQL cannot type a parameter that is only ever compared to NULL.
        var where = new StringBuilder("WHERE 1 = 1");
        if (!string.IsNullOrWhiteSpace(filter.Text))
            where.Append(" AND (p.email LIKE @like ESCAPE '\\' OR LOWER(p.name) LIKE @like ESCAPE '\\')");
        if (!string.IsNullOrWhiteSpace(filter.Status))
            where.Append(" AND p.status = @status");
        if (!string.IsNullOrWhiteSpace(filter.Edition))
            where.Append(" AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscriber_id = p.id AND s.edition = @edition AND s.status = @confirmed)");
        return (where.ToString(), new
        {
            like = $"%{Escape(filter.Text?.Trim().ToLowerInvariant() ?? "")}%",
            status = filter.Status,
            edition = filter.Edition?.ToLowerInvariant(),
            confirmed = SubscriberStatus.Confirmed,
            limit,
            offset,
        });
    }

    /// <summary>LIKE wildcards typed into the search box (an address like a_b@x.org) are searched for literally.</summary>
    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}

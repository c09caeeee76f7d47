using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Digest.Storage;

namespace Digest.Articles;

/// <summary>What storing an article did: a new row, or the existing one it duplicates.</summary>
public sealed record StoredArticle(long Id, string Slug, bool Duplicate);

/// <summary>Articles in the store. One row per story: the content key is unique.</summary>
public sealed class ArticleStore(Database database, TimeProvider time)
{
    public async Task<StoredArticle> AddAsync(ArticleContent content, string source, CancellationToken cancellationToken = default)
    {
        string key = ArticleKeys.ContentKey(content);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var existing = await FindByKeyAsync(connection, transaction, key);
        if (existing is not null)
            return existing;

        string slug = ArticleKeys.Slug(content);
        bool slugTaken = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM articles WHERE slug = @slug", new { slug }, transaction) > 0;
        if (slugTaken)
            slug = $"{slug}-{key[..8]}"; // another story with the same headline and date

        long id = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO articles (slug, content_key, headline, published_on, highlights, body, analysis, source, ingested_at)
            VALUES (@slug, @key, @Headline, @PublishedOn, @Highlights, @Body, @Analysis, @source, @IngestedAt)
            RETURNING id
            """,
            new
            {
                slug, key, content.Headline,
                PublishedOn = content.PublishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Highlights = JsonSerializer.Serialize(content.Highlights),
                Body = JsonSerializer.Serialize(content.Body),
                Analysis = JsonSerializer.Serialize(content.Analysis),
                source,
                IngestedAt = Clock.Format(time.GetUtcNow()),
            },
            transaction);
        await transaction.CommitAsync(cancellationToken);
        return new StoredArticle(id, slug, Duplicate: false);
    }

    public async Task<Article?> FindBySlugAsync(string slug, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ArticleRow>(
            $"SELECT {Columns} FROM articles a WHERE a.slug = @slug", new { slug });
        return row?.ToArticle();
    }

    public async Task<IReadOnlyList<Article>> ListRecentAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ArticleRow>(
            $"SELECT {Columns} FROM articles a ORDER BY a.ingested_at DESC, a.id DESC LIMIT @limit", new { limit });
        return rows.Select(r => r.ToArticle()).ToList();
    }

    /// <summary>
    /// The articles the next run of an edition would carry: ingested since <paramref name="since"/> and not yet
    /// sent in any run of that edition, oldest first.
    /// </summary>
    public async Task<IReadOnlyList<Article>> PendingForEditionAsync(
        DbConnection connection, string edition, DateTimeOffset since, DbTransaction? transaction = null)
    {
        var rows = await connection.QueryAsync<ArticleRow>($"""
            SELECT {Columns} FROM articles a
            WHERE a.ingested_at > @since
              AND NOT EXISTS (SELECT 1 FROM run_articles ra JOIN runs r ON r.id = ra.run_id
                              WHERE ra.article_id = a.id AND r.edition = @edition)
            ORDER BY a.ingested_at, a.id
            """, new { edition, since = Clock.Format(since) }, transaction);
        return rows.Select(r => r.ToArticle()).ToList();
    }

    /// <summary>The articles frozen into a run, in digest order.</summary>
    public static async Task<IReadOnlyList<Article>> ForRunAsync(DbConnection connection, long runId)
    {
        var rows = await connection.QueryAsync<ArticleRow>($"""
            SELECT {Columns} FROM articles a JOIN run_articles ra ON ra.article_id = a.id
            WHERE ra.run_id = @runId ORDER BY ra.position
            """, new { runId });
        return rows.Select(r => r.ToArticle()).ToList();
    }

    private static async Task<StoredArticle?> FindByKeyAsync(DbConnection connection, DbTransaction transaction, string key)
    {
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(
            "SELECT id, slug FROM articles WHERE content_key = @key", new { key }, transaction);
        return row is null ? null : new StoredArticle(row.Id, row.Slug, Duplicate: true);
    }

    private const string Columns = "a.id AS Id, a.slug AS Slug, a.headline AS Headline, a.published_on AS PublishedOn, "
        + "a.highlights AS Highlights, a.body AS Body, a.analysis AS Analysis, a.source AS Source, a.ingested_at AS IngestedAt";

    private sealed record KeyRow(long Id, string Slug);

    private sealed record ArticleRow(long Id, string Slug, string Headline, string PublishedOn, string Highlights,
        string Body, string Analysis, string Source, string IngestedAt)
    {
        public Article ToArticle() => new(
            Id,
            Slug,
            new ArticleContent(
                Headline,
                DateOnly.ParseExact(PublishedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                JsonSerializer.Deserialize<string[]>(Highlights) ?? [],
                JsonSerializer.Deserialize<string[]>(Body) ?? [],
                JsonSerializer.Deserialize<string[]>(Analysis) ?? []),
            Source,
            Clock.Parse(IngestedAt));
    }
}

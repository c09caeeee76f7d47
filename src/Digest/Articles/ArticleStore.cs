using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Digest.Storage;

namespace Digest.Articles;

/// <summary>
/// What storing an article did: a new row, or the existing article it duplicates and what identified it
/// (<see cref="MatchedBy"/>: "feed id", "url" or "content").
/// </summary>
public sealed record StoredArticle(long Id, string Slug, bool Duplicate, string? MatchedBy = null)
{
    public string Describe() => Duplicate
        ? $"a duplicate of article {Id} ({Slug}), recognised by its {MatchedBy}"
        : $"article {Id} ({Slug})";
}

/// <summary>A run of an edition that carried an article.</summary>
public sealed record ArticleRun(long RunId, string Edition, DateTimeOffset Slot, string Status);

/// <summary>An article as editors list it: with the runs that included it (none yet: it waits for the next one).</summary>
/// <summary>An article in the editors' list: the runs that carried it, and whether an editor held it back.</summary>
public sealed record ArticleListing(Article Article, IReadOnlyList<ArticleRun> Runs, bool Excluded);

/// <summary>
/// Articles in the store. One row per story: a story is recognised again by its feed id, its address, or else its
/// content key (all unique or checked in the same write transaction), whichever source it arrives from.
/// </summary>
public sealed class ArticleStore(Database database, TimeProvider time, DigestMetrics metrics)
{
    public async Task<StoredArticle> AddAsync(ArticleContent content, ArticleOrigin origin, CancellationToken cancellationToken = default) =>
        (await AddManyAsync([(content, origin)], cancellationToken))[0];

    /// <summary>Stores many articles in one transaction (a feed's items, a bulk drop): all of them or none.</summary>
    public async Task<IReadOnlyList<StoredArticle>> AddManyAsync(
        IEnumerable<(ArticleContent Content, ArticleOrigin Origin)> articles, CancellationToken cancellationToken = default)
    {
        var batch = articles.ToList();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var stored = new List<StoredArticle>(batch.Count);
                foreach (var (content, origin) in batch)
                    stored.Add(await AddAsync(connection, transaction, content, origin));
                await transaction.CommitAsync(cancellationToken);
                metrics.ArticlesIngested(stored.Count(s => !s.Duplicate));
                return stored;
            }
            catch (DbException error) when (IsUniqueViolation(error) && attempt < 3)
            {
                // Another writer stored the same story between our lookup and insert (PostgreSQL lets both look at
                // once; SQLite's write lock does not). Trying again finds it and answers "duplicate".
            }
        }
    }

    private static bool IsUniqueViolation(DbException error) =>
        error is SqliteException { SqliteExtendedErrorCode: 2067 } || error.SqlState == "23505"; // SQLITE_CONSTRAINT_UNIQUE, unique_violation

    private async Task<StoredArticle> AddAsync(DbConnection connection, DbTransaction transaction, ArticleContent content, ArticleOrigin origin)
    {
        string key = ArticleKeys.ContentKey(content);
        var existing = await FindExistingAsync(connection, transaction, key, origin);
        if (existing is not null)
            return existing;

        var row = new NewRow(
            ArticleKeys.Slug(content), key, content.Headline,
            content.PublishedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            JsonSerializer.Serialize(content.Highlights),
            JsonSerializer.Serialize(content.Body),
            JsonSerializer.Serialize(content.Analysis),
            origin.Source,
            Clock.Format(time.GetUtcNow()),
            origin.Url,
            origin.ExternalKey,
            content.Image?.Url,
            content.Image?.Alt,
            ArticleTopics.ToJson(content.Topics));
        long? id = await InsertAsync(connection, transaction, row);
        if (id is null)
        {
            row = row with { Slug = $"{row.Slug}-{key[..8]}" }; // another story with the same headline and date has the plain slug
            id = await InsertAsync(connection, transaction, row)
                ?? throw new InvalidOperationException($"the slugs of article {key} are both taken");
        }
        return new StoredArticle(id.Value, row.Slug, Duplicate: false);
    }

    /// <summary>The new row's id, or null when the slug is taken (one statement instead of a check and an insert).</summary>
    private static Task<long?> InsertAsync(DbConnection connection, DbTransaction transaction, NewRow row) =>
        connection.ExecuteScalarAsync<long?>("""
            INSERT INTO articles (slug, content_key, headline, published_on, highlights, body, analysis, source, ingested_at, url, external_key,
                                  image_url, image_alt, topics)
            VALUES (@Slug, @Key, @Headline, @PublishedOn, @Highlights, @Body, @Analysis, @Source, @IngestedAt, @Url, @ExternalKey,
                    @ImageUrl, @ImageAlt, @Topics)
            ON CONFLICT (slug) DO NOTHING
            RETURNING id
            """, row, transaction);

    public async Task<Article?> FindBySlugAsync(string slug, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ArticleRow>(
            $"SELECT {Columns} FROM articles a WHERE a.slug = @slug", new { slug });
        return row?.ToArticle();
    }

    /// <summary>The newest articles, optionally only those whose headline contains <paramref name="search"/> (any case).</summary>
    public async Task<IReadOnlyList<Article>> ListRecentAsync(int limit, CancellationToken cancellationToken = default, string? search = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        string filter = string.IsNullOrWhiteSpace(search) ? "" : "WHERE LOWER(a.headline) LIKE @pattern";
        var rows = await connection.QueryAsync<ArticleRow>(
            $"SELECT {Columns} FROM articles a {filter} ORDER BY a.ingested_at DESC, a.id DESC LIMIT @limit",
            new { limit, pattern = $"%{search?.Trim().ToLowerInvariant()}%" });
        return rows.Select(r => r.ToArticle()).ToList();
    }

    /// <summary>Holds an article back from every digest not yet started (or lets it in again); false when there is no such article.</summary>
    public async Task<bool> SetExcludedAsync(long id, bool excluded, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE articles SET excluded_at = @at WHERE id = @id",
            new { id, at = excluded ? Clock.Format(time.GetUtcNow()) : null }) > 0;
    }

    /// <summary>
    /// An editor's change of an article's topics (already normalised, <see cref="ArticleTopics"/>); false when there is
    /// no such article. Runs already started keep what they froze: a reader's copy is chosen from the topics read then.
    /// </summary>
    public async Task<bool> SetTopicsAsync(long id, IReadOnlyList<string> topics, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE articles SET topics = @topics WHERE id = @id",
            new { id, topics = ArticleTopics.ToJson(topics) }) > 0;
    }

    /// <summary>The topics of the newest <paramref name="articles"/> articles, most used first: what readers can choose from.</summary>
    public async Task<IReadOnlyList<string>> RecentTopicsAsync(int articles, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>("SELECT topics FROM articles ORDER BY id DESC LIMIT @articles", new { articles });
        return rows.SelectMany(ArticleTopics.FromJson).GroupBy(t => t).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).ToList();
    }

    /// <summary>The newest articles with the runs that carried each, for the editors' list.</summary>
    public async Task<IReadOnlyList<ArticleListing>> ListWithRunsAsync(int limit, string? search = null, CancellationToken cancellationToken = default)
    {
        var articles = await ListRecentAsync(limit, cancellationToken, search);
        if (articles.Count == 0)
            return [];
        await using var connection = await database.OpenAsync(cancellationToken);
        // An id range rather than a list parameter: the same SQL on SQLite and PostgreSQL; runs of unlisted articles are ignored.
        var runs = (await connection.QueryAsync<RunRow>("""
            SELECT ra.article_id AS ArticleId, r.id AS RunId, r.edition AS Edition, r.slot AS Slot, r.status AS Status
            FROM run_articles ra JOIN runs r ON r.id = ra.run_id
            WHERE ra.article_id BETWEEN @first AND @last ORDER BY r.slot
            """, new { first = articles.Min(a => a.Id), last = articles.Max(a => a.Id) })).ToLookup(r => r.ArticleId);
        var excluded = (await connection.QueryAsync<long>(
            "SELECT id FROM articles WHERE id BETWEEN @first AND @last AND excluded_at IS NOT NULL",
            new { first = articles.Min(a => a.Id), last = articles.Max(a => a.Id) })).ToHashSet();
        return articles.Select(a => new ArticleListing(a,
            runs[a.Id].Select(r => new ArticleRun(r.RunId, r.Edition, Clock.Parse(r.Slot), r.Status)).ToList(), excluded.Contains(a.Id))).ToList();
    }

    /// <summary>One article with the runs that carried it and whether it is held back, for the editors' detail page.</summary>
    public async Task<ArticleListing?> FindListingAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ArticleRow>($"SELECT {Columns} FROM articles a WHERE a.id = @id", new { id });
        if (row is null)
            return null;
        var runs = await connection.QueryAsync<RunRow>("""
            SELECT ra.article_id AS ArticleId, r.id AS RunId, r.edition AS Edition, r.slot AS Slot, r.status AS Status
            FROM run_articles ra JOIN runs r ON r.id = ra.run_id WHERE ra.article_id = @id ORDER BY r.slot
            """, new { id });
        bool excluded = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM articles WHERE id = @id AND excluded_at IS NOT NULL", new { id }) > 0;
        return new ArticleListing(row.ToArticle(), runs.Select(r => new ArticleRun(r.RunId, r.Edition, Clock.Parse(r.Slot), r.Status)).ToList(), excluded);
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
            WHERE a.ingested_at > @since AND a.excluded_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM run_articles ra JOIN runs r ON r.id = ra.run_id
                              WHERE ra.article_id = a.id AND r.edition = @edition)
            ORDER BY a.ingested_at, a.id
            """, new { edition, since = Clock.Format(since) }, transaction);
        return rows.Select(r => r.ToArticle()).ToList();
    }

    /// <summary>The articles frozen into a run, in digest order, with the topics they had when the run started.</summary>
    public static async Task<IReadOnlyList<Article>> ForRunAsync(DbConnection connection, long runId)
    {
        // A run started before topics existed froze none (NULL), as its articles then had none. A plain column, not an
        // expression: SQLite types an expression over no rows as bytes.
        var rows = await connection.QueryAsync<ArticleRow>($"""
            SELECT {ContentColumns}, ra.topics AS Topics
            FROM articles a JOIN run_articles ra ON ra.article_id = a.id
            WHERE ra.run_id = @runId ORDER BY ra.position
            """, new { runId });
        return rows.Select(r => r.ToArticle()).ToList();
    }

    /// <summary>
    /// The article this one repeats: same feed id first, then same address, then same content. A match learns the
    /// new origin's address and feed id when it had none, so the next poll of that feed recognises it directly.
    /// </summary>
    private static async Task<StoredArticle?> FindExistingAsync(DbConnection connection, DbTransaction transaction, string key, ArticleOrigin origin)
    {
        var row = await connection.QueryFirstOrDefaultAsync<MatchRow>("""
            SELECT id, slug,
                   CASE WHEN external_key = @ExternalKey THEN 'feed id' WHEN url = @Url THEN 'url' ELSE 'content' END AS MatchedBy
            FROM articles
            WHERE external_key = @ExternalKey OR url = @Url OR content_key = @key
            ORDER BY CASE WHEN external_key = @ExternalKey THEN 0 WHEN url = @Url THEN 1 ELSE 2 END
            LIMIT 1
            """, new { key, origin.Url, origin.ExternalKey }, transaction);
        if (row is null)
            return null;
        if (origin.Url is not null || origin.ExternalKey is not null)
            await connection.ExecuteAsync("""
                UPDATE articles SET url = COALESCE(url, @Url), external_key = COALESCE(external_key, @ExternalKey)
                WHERE id = @Id AND (url IS NULL OR external_key IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM articles other WHERE other.external_key = @ExternalKey AND other.id <> @Id)
                """, new { row.Id, origin.Url, origin.ExternalKey }, transaction);
        return new StoredArticle(row.Id, row.Slug, Duplicate: true, row.MatchedBy);
    }

    private const string Columns = ContentColumns + ", a.topics AS Topics";

    private const string ContentColumns = "a.id AS Id, a.slug AS Slug, a.headline AS Headline, a.published_on AS PublishedOn, "
        + "a.highlights AS Highlights, a.body AS Body, a.analysis AS Analysis, a.source AS Source, a.ingested_at AS IngestedAt, a.url AS Url, "
        + "a.image_url AS ImageUrl, a.image_alt AS ImageAlt";

    private sealed record MatchRow(long Id, string Slug, string MatchedBy);

    private sealed record NewRow(string Slug, string Key, string Headline, string PublishedOn, string Highlights, string Body,
        string Analysis, string Source, string IngestedAt, string? Url, string? ExternalKey, string? ImageUrl, string? ImageAlt, string Topics);

    private sealed record RunRow(long ArticleId, long RunId, string Edition, string Slot, string Status);

    private sealed record ArticleRow(long Id, string Slug, string Headline, string PublishedOn, string Highlights,
        string Body, string Analysis, string Source, string IngestedAt, string? Url, string? ImageUrl, string? ImageAlt, string? Topics)
    {
        public Article ToArticle() => new(
            Id,
            Slug,
            new ArticleContent(
                Headline,
                DateOnly.ParseExact(PublishedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                JsonSerializer.Deserialize<string[]>(Highlights) ?? [],
                JsonSerializer.Deserialize<string[]>(Body) ?? [],
                JsonSerializer.Deserialize<string[]>(Analysis) ?? [],
                ImageUrl is null ? null : new ArticleImage(ImageUrl, ImageAlt)) { Topics = ArticleTopics.FromJson(Topics) },
            Source,
            Clock.Parse(IngestedAt),
            Url);
    }
}

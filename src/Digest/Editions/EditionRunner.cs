using System.Data.Common;
using Dapper;
using Digest.Articles;
using Digest.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>
/// Starts the run of an edition for a slot: freezes the articles that arrived since the edition's previous run
/// and the first chunk of its audience of confirmed subscribers into the ledger, in one transaction (the rest of the
/// audience follows in chunks, <see cref="AudienceFreeze"/>). Starting the same slot again returns the run that exists.
/// Each ledger entry keeps the topics its reader chose when its chunk was frozen, so the articles of every copy follow
/// from the run alone: a resumed run sends what it would have sent, whatever a reader or an editor changed meanwhile.
/// </summary>
public sealed class EditionRunner(
    Database database,
    ArticleStore articles,
    AudienceFreeze audience,
    IOptionsMonitor<EditionsOptions> editions,
    TimeProvider time,
    ILogger<EditionRunner> logger)
{
    /// <summary>Starts a run outside the schedule, for the current second (so a repeated command a second later is a new run).</summary>
    public Task<Run> StartNowAsync(string editionName, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return StartAsync(editionName, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)), cancellationToken);
    }

    public async Task<Run> StartAsync(string editionName, DateTimeOffset slot, CancellationToken cancellationToken = default)
    {
        var edition = editions.CurrentValue.Get(editionName);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Runs of one edition start one at a time across processes: two slots started at once by two workers must
        // not both take the same new articles.
        await database.SerialiseAsync(connection, transaction, $"edition run: {edition.Name}");

        var existing = await FindAsync(connection, edition.Name, slot, transaction);
        if (existing is not null)
        {
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u} already exists ({Status}); resuming it",
                existing.Id, edition.Name, slot, existing.Status);
            return existing;
        }

        var window = await NextArticlesAsync(connection, edition, now, transaction);
        if (window.Count < edition.Options.MinArticles)
        {
            // Too few to be worth a digest: the articles wait for the next slot (they are in no run yet).
            logger.LogInformation("{Edition} at {Slot:u}: {Count} new articles, fewer than MinArticles ({Min})",
                edition.Name, slot, window.Count, edition.Options.MinArticles);
            window = [];
        }

        bool send = window.Count > 0 || edition.Options.WhenEmpty == WhenEmpty.SendNoNews;
        bool review = send && edition.Options.Review == Review.Required;
        string status = !send ? RunStatus.Empty : review ? RunStatus.AwaitingApproval : RunStatus.Sending;
        long? inserted = await connection.ExecuteScalarAsync<long?>("""
            INSERT INTO runs (edition, slot, status, created_at, audience, review_until, review_then)
            VALUES (@edition, @slot, @status, @now, @audience, @reviewUntil, @reviewThen)
            ON CONFLICT (edition, slot) DO NOTHING RETURNING id
            """, new
            {
                edition = edition.Name, slot = Clock.Format(slot), status, now = Clock.Format(now), audience = edition.AudienceList,
                // The deadline and what follows it are frozen with the run: a later edit of the settings does not move them.
                reviewUntil = review ? Clock.Format(slot + edition.Options.ReviewDeadline) : null,
                reviewThen = review ? edition.Options.AfterReviewDeadline.ToString() : null,
            }, transaction);
        if (inserted is not { } runId)
        {
            // Every job process runs a scheduler, so with several processes the same slot is started by each;
            // the first one's run is the run, the others join it.
            var winner = await FindAsync(connection, edition.Name, slot, transaction);
            await transaction.RollbackAsync(cancellationToken);
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u} was started by another process; joining it", winner?.Id, edition.Name, slot);
            return winner ?? throw new InvalidOperationException($"The run of {edition.Name} for {slot:u} vanished while starting");
        }
        await connection.ExecuteAsync(
            "INSERT INTO run_articles (run_id, article_id, position, topics) VALUES (@runId, @Id, @Position, @Topics)",
            window.Select((a, i) => new { runId, a.Id, Position = i, Topics = ArticleTopics.ToJson(a.Content.Topics) }), transaction);
        if (send)
            await EditionNotes.FreezeAsync(connection, transaction, edition.Name, runId);
        int firstChunk = send ? await audience.FreezeFirstAsync(connection, transaction, runId, edition, slot, now) : 0;
        await transaction.CommitAsync(cancellationToken);

        if (!send)
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u}: nothing new since the previous run; nothing sent",
                runId, edition.Name, slot);
        else if (review)
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u}: {Articles} articles to {Subscribers} subscribers, awaiting an editor's approval",
                runId, edition.Name, slot, window.Count, audience);
        else
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u}: {Articles} articles; the first {Subscribers} subscribers frozen, sending starts",
                runId, edition.Name, slot, window.Count, firstChunk);
        return new Run(runId, edition.Name, slot, status, now);
    }

    /// <summary>Whether the edition already has a run for that slot (whatever became of it).</summary>
    public async Task<bool> ExistsAsync(string editionName, DateTimeOffset slot, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE edition = @edition AND slot = @slot",
            new { edition = editionName.ToLowerInvariant(), slot = Clock.Format(slot) }) > 0;
    }

    /// <summary>Whether the edition ran before <paramref name="slot"/>: a slot after that was missed, not before the edition's time.</summary>
    public async Task<bool> RanBeforeAsync(string editionName, DateTimeOffset slot, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE edition = @edition AND slot < @slot",
            new { edition = editionName.ToLowerInvariant(), slot = Clock.Format(slot) }) > 0;
    }

    /// <summary>
    /// The articles the edition's next run carries: those not sent in any earlier run of the edition, ingested no
    /// longer than the edition's lookback before its previous run (or before now, for a first run).
    /// </summary>
    public async Task<IReadOnlyList<Article>> NextArticlesAsync(DbConnection connection, Edition edition, DateTimeOffset now,
        DbTransaction? transaction = null)
    {
        var previous = await connection.ExecuteScalarAsync<string?>(
            "SELECT MAX(created_at) FROM runs WHERE edition = @edition", new { edition = edition.Name }, transaction);
        var since = (previous is null ? now : Clock.Parse(previous)) - edition.Options.Lookback;
        return await articles.PendingForEditionAsync(connection, edition.Name, since, transaction);
    }

    private static async Task<Run?> FindAsync(DbConnection connection, string edition, DateTimeOffset slot, DbTransaction transaction)
    {
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {RunRow.Columns} FROM runs WHERE edition = @edition AND slot = @slot",
            new { edition, slot = Clock.Format(slot) }, transaction);
        return row?.ToRun();
    }
}

using System.Data.Common;
using Dapper;
using Digest.Articles;
using Digest.Delivery;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>
/// Starts the run of an edition for a slot: freezes the articles that arrived since the edition's previous run
/// and the audience of confirmed subscribers into the ledger, in one transaction. Starting the same slot again
/// returns the run that exists. Each ledger entry keeps the topics its reader chose at that moment, so the
/// articles of every copy follow from the run alone: a resumed run sends what it would have sent, whatever a
/// reader or an editor changed meanwhile.
/// </summary>
public sealed class EditionRunner(
    Database database,
    ArticleStore articles,
    IOptionsMonitor<EditionsOptions> editions,
    IOptions<DeliveryOptions> delivery,
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
        string status = send ? RunStatus.Sending : RunStatus.Empty;
        long? inserted = await connection.ExecuteScalarAsync<long?>("""
            INSERT INTO runs (edition, slot, status, created_at, audience) VALUES (@edition, @slot, @status, @now, @audience)
            ON CONFLICT (edition, slot) DO NOTHING RETURNING id
            """, new { edition = edition.Name, slot = Clock.Format(slot), status, now = Clock.Format(now), audience = edition.AudienceList },
            transaction);
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
        int audience = !send ? 0 : edition.Options.DeliverAt is { Length: > 0 } deliverAt
            ? await FreezeLocalTimeAudienceAsync(connection, transaction, runId, edition, slot, LocalDelivery.TryParseHour(deliverAt)!.Value, now)
            : await FreezeAudienceAsync(connection, transaction, runId, edition, now);
        await transaction.CommitAsync(cancellationToken);

        if (!send)
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u}: nothing new since the previous run; nothing sent",
                runId, edition.Name, slot);
        else
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u}: {Articles} articles to {Subscribers} subscribers",
                runId, edition.Name, slot, window.Count, audience);
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

    private async Task<int> FreezeAudienceAsync(DbConnection connection, DbTransaction transaction, long runId, Edition edition, DateTimeOffset now) =>
        await connection.ExecuteAsync($"""
            INSERT INTO deliveries (run_id, subscriber_id, status, message_id, attempts, updated_at, topics)
            SELECT @runId, a.id, @pending, 'digest.' || @runId || '.' || a.id || '@' || @domain, 0, @now, p.topics
            FROM ({SubscriberStore.AudienceQuery}) a JOIN subscribers p ON p.id = a.id
            """, new { runId, edition = edition.AudienceList, pending = DeliveryStatus.Pending, domain = MessageIdDomain(edition), now = Clock.Format(now) },
            transaction);

    /// <summary>
    /// The audience of a local-time edition: every copy is held (pending, with <c>next_attempt_at</c>) until the
    /// subscriber's own hour arrives. Same run, same articles; only the moment differs.
    /// </summary>
    private async Task<int> FreezeLocalTimeAudienceAsync(DbConnection connection, DbTransaction transaction, long runId, Edition edition,
        DateTimeOffset slot, TimeOnly hour, DateTimeOffset now)
    {
        var editionZone = new EditionSchedule(edition.Options).TimeZone;
        var audience = await connection.QueryAsync<(long Id, string? TimeZone, string? Topics)>(
            $"SELECT a.id, p.time_zone, p.topics FROM ({SubscriberStore.AudienceQuery}) a JOIN subscribers p ON p.id = a.id",
            new { edition = edition.AudienceList }, transaction);
        string domain = MessageIdDomain(edition);
        return await connection.ExecuteAsync("""
            INSERT INTO deliveries (run_id, subscriber_id, status, message_id, attempts, next_attempt_at, updated_at, topics)
            VALUES (@runId, @Id, @pending, @MessageId, 0, @Due, @now, @Topics)
            """, audience.Select(a => new
            {
                // The same Message-ID form as FreezeAudienceAsync builds in SQL.
                runId, a.Id, pending = DeliveryStatus.Pending, MessageId = $"digest.{runId}.{a.Id}@{domain}",
                Due = Clock.Format(LocalDelivery.DueAt(slot, hour, a.TimeZone, editionZone)), now = Clock.Format(now), a.Topics,
            }), transaction);
    }

    /// <summary>Message-IDs are on the edition's From domain, the domain its DKIM signature aligns with.</summary>
    private string MessageIdDomain(Edition edition) => EditionSender.Domain(edition.Options, delivery.Value);

    private static async Task<Run?> FindAsync(DbConnection connection, string edition, DateTimeOffset slot, DbTransaction transaction)
    {
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {RunRow.Columns} FROM runs WHERE edition = @edition AND slot = @slot",
            new { edition, slot = Clock.Format(slot) }, transaction);
        return row?.ToRun();
    }
}

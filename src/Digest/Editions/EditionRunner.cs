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
/// returns the run that exists.
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

        var existing = await FindAsync(connection, edition.Name, slot, transaction);
        if (existing is not null)
        {
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u} already exists ({Status}); resuming it",
                existing.Id, edition.Name, slot, existing.Status);
            return existing;
        }

        var window = await NextArticlesAsync(connection, edition, now, transaction);

        string status = window.Count == 0 ? RunStatus.Empty : RunStatus.Sending;
        long runId = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO runs (edition, slot, status, created_at) VALUES (@edition, @slot, @status, @now) RETURNING id
            """, new { edition = edition.Name, slot = Clock.Format(slot), status, now = Clock.Format(now) }, transaction);
        await connection.ExecuteAsync(
            "INSERT INTO run_articles (run_id, article_id, position) VALUES (@runId, @Id, @Position)",
            window.Select((a, i) => new { runId, a.Id, Position = i }), transaction);
        int audience = window.Count == 0 ? 0 : await FreezeAudienceAsync(connection, transaction, runId, edition.Name, now);
        await transaction.CommitAsync(cancellationToken);

        if (window.Count == 0)
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u}: no new articles since the previous run; nothing sent",
                runId, edition.Name, slot);
        else
            logger.LogInformation("Run {RunId} of {Edition} for {Slot:u}: {Articles} articles to {Subscribers} subscribers",
                runId, edition.Name, slot, window.Count, audience);
        return new Run(runId, edition.Name, slot, status, now);
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

    private async Task<int> FreezeAudienceAsync(DbConnection connection, DbTransaction transaction, long runId, string edition, DateTimeOffset now) =>
        await connection.ExecuteAsync($"""
            INSERT INTO deliveries (run_id, subscriber_id, status, message_id, attempts, updated_at)
            SELECT @runId, a.id, @pending, 'digest.' || @runId || '.' || a.id || '@' || @domain, 0, @now
            FROM ({SubscriberStore.AudienceQuery}) a
            """, new { runId, edition, pending = DeliveryStatus.Pending, domain = delivery.Value.SendingDomain, now = Clock.Format(now) },
            transaction);

    private static async Task<Run?> FindAsync(DbConnection connection, string edition, DateTimeOffset slot, DbTransaction transaction)
    {
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {RunRow.Columns} FROM runs WHERE edition = @edition AND slot = @slot",
            new { edition, slot = Clock.Format(slot) }, transaction);
        return row?.ToRun();
    }
}

using System.Data.Common;
using Dapper;
using Digest.Delivery;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>
/// Freezes a run's audience into its delivery ledger in chunks of subscribers, in ID order: the first chunk with the
/// run itself, each further one in a transaction of its own, so the first batch sends as soon as its chunk is in the
/// ledger, however large the audience. The run keeps the last subscriber frozen (<c>runs.freeze_after</c>, NULL once
/// the whole audience is): a freeze cut off by a crash goes on from there, and the run is not complete before it is.
/// A subscriber is in the run if confirmed when their chunk is frozen, with the topics they chose then.
/// </summary>
public sealed class AudienceFreeze(Database database, IOptionsMonitor<EditionsOptions> editions, IOptions<DeliveryOptions> delivery, TimeProvider time)
{
    /// <summary>Subscribers frozen per transaction: one batch job's worth.</summary>
    private int ChunkSize => Math.Max(1, delivery.Value.BatchSize);

    /// <summary>Freezes the first chunk of a new run's audience, in the transaction that creates the run.</summary>
    internal async Task<int> FreezeFirstAsync(DbConnection connection, DbTransaction transaction, long runId, Edition edition, DateTimeOffset slot,
        DateTimeOffset now)
    {
        var frozen = await FreezeChunkAsync(connection, transaction, runId, edition, edition.AudienceList, slot, after: 0, now);
        return frozen?.Count ?? 0;
    }

    /// <summary>
    /// Freezes the next chunk of the run's audience and returns the subscribers it covers; null once the whole
    /// audience is frozen. Safe from several processes at once: each chunk is frozen by one of them.
    /// </summary>
    public async Task<SubscriberRange?> FreezeNextAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var turn = await database.WriteTurnAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await database.SerialiseAsync(connection, transaction, $"run audience: {runId}");
        var run = await connection.QuerySingleOrDefaultAsync<(string Edition, string? Audience, string Slot, long? FreezeAfter)>(
            "SELECT edition, audience, slot, freeze_after FROM runs WHERE id = @runId", new { runId }, transaction);
        if (run.FreezeAfter is not { } after)
            return null;
        var frozen = await FreezeChunkAsync(connection, transaction, runId, editions.CurrentValue.Get(run.Edition), run.Audience ?? run.Edition,
            Clock.Parse(run.Slot), after, time.GetUtcNow());
        await transaction.CommitAsync(cancellationToken);
        return frozen is { } chunk ? new SubscriberRange(after + 1, chunk.Last) : null;
    }

    /// <summary>
    /// Freezes up to a chunk of subscribers after <paramref name="after"/> and moves the run's mark past them (or
    /// clears it, when the chunk was the audience's last). Null when no subscriber was left.
    /// </summary>
    private async Task<(int Count, long Last)?> FreezeChunkAsync(DbConnection connection, DbTransaction transaction, long runId, Edition edition,
        string audience, DateTimeOffset slot, long after, DateTimeOffset now)
    {
        int size = ChunkSize;
        var chunk = (await connection.QueryAsync<(long Id, string? TimeZone, string? Topics)>(
            $"{SubscriberStore.AudienceChunkQuery} ORDER BY s.subscriber_id LIMIT @size",
            new { edition = audience, after, last = long.MaxValue, size }, transaction)).ToList();
        // A full chunk may not be the last: the next freeze finds out.
        long? mark = chunk.Count == size ? chunk[^1].Id : null;
        await connection.ExecuteAsync("UPDATE runs SET freeze_after = @mark WHERE id = @runId", new { runId, mark }, transaction);
        if (chunk.Count == 0)
            return null;

        // Message-IDs are on the edition's From domain, the domain its DKIM signature aligns with.
        string domain = EditionSender.Domain(edition.Options, delivery.Value), at = Clock.Format(now);
        if (edition.Options.DeliverAt is { Length: > 0 } deliverAt)
        {
            // A local-time edition holds every copy (pending, with next_attempt_at) until the subscriber's own hour
            // arrives. Same run, same articles; only the moment differs.
            var hour = LocalDelivery.TryParseHour(deliverAt)!.Value;
            var editionZone = new EditionSchedule(edition.Options).TimeZone;
            await connection.ExecuteAsync("""
                INSERT INTO deliveries (run_id, subscriber_id, status, message_id, attempts, next_attempt_at, updated_at, topics)
                VALUES (@runId, @Id, @pending, @MessageId, 0, @Due, @now, @Topics)
                """, chunk.Select(a => new
                {
                    // The same Message-ID form as built in SQL below.
                    runId, a.Id, pending = DeliveryStatus.Pending, MessageId = $"digest.{runId}.{a.Id}@{domain}",
                    Due = Clock.Format(LocalDelivery.DueAt(slot, hour, a.TimeZone, editionZone)), now = at, a.Topics,
                }), transaction);
        }
        else
            // One statement, not one per subscriber: on PostgreSQL each is a round trip.
            await connection.ExecuteAsync($"""
                INSERT INTO deliveries (run_id, subscriber_id, status, message_id, attempts, updated_at, topics)
                SELECT @runId, a.Id, @pending, 'digest.' || @runId || '.' || a.Id || '@' || @domain, 0, @now, a.Topics
                FROM ({SubscriberStore.AudienceChunkQuery}) a
                """, new { runId, edition = audience, pending = DeliveryStatus.Pending, domain, now = at, after, last = chunk[^1].Id }, transaction);
        return (chunk.Count, chunk[^1].Id);
    }
}

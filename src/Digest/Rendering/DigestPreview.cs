using Dapper;
using Digest.Articles;
using Digest.Editions;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Rendering;

/// <summary>
/// The next digest of an edition as a given subscriber would receive it now: the same article window, composer,
/// templates and MIME building as a real run. Given a future slot, the digest that slot would send if it ran now:
/// today's new articles and waiting note, dated and titled for that slot.
/// </summary>
public sealed class DigestPreview(
    Database database,
    EditionRunner runner,
    EditionNotes notes,
    DigestComposer composer,
    IDigestRenderer renderer,
    IOptionsMonitor<EditionsOptions> editions,
    TimeProvider time)
{
    /// <param name="at">A slot of the edition's schedule (<see cref="EditionSchedule.ParseSlot"/>); none: now.</param>
    /// <exception cref="PreviewSlotException"><paramref name="at"/> is no slot of the edition, or one already past.</exception>
    public async Task<(DigestCopy Copy, RenderedDigest Rendered)> RenderAsync(string editionName, long? subscriberId = null,
        CancellationToken cancellationToken = default, string? at = null)
    {
        var edition = editions.CurrentValue.Get(editionName);
        var now = time.GetUtcNow();
        var slot = at is null ? now : SlotFor(edition, at, now);
        await using var connection = await database.OpenAsync(cancellationToken);
        var articles = await runner.NextArticlesAsync(connection, edition, now);
        var recipient = await RecipientAsync(connection, edition.AudienceList, subscriberId);
        // The chosen reader's copy: only the articles on their topics, as a run would send them.
        articles = ArticleTopics.For(articles, ArticleTopics.FromJson(await connection.ExecuteScalarAsync<string?>(
            "SELECT topics FROM subscribers WHERE id = @id", new { id = recipient.Id })));
        // The note waiting for the next run is the one this digest would carry.
        var note = await notes.GetAsync(edition.Name, cancellationToken);
        var copy = await composer.ComposeAsync(edition, slot, articles, recipient, note?.Markdown);
        return (copy, await renderer.RenderAsync(copy));
    }

    /// <summary>
    /// A run's digest exactly as it was frozen (its articles, note, slot and archive link), as one of the run's own
    /// recipients gets it: by default the first, or <paramref name="subscriberId"/> when that subscriber is in the run.
    /// Null when there is no such run.
    /// </summary>
    public async Task<(DigestCopy Copy, RenderedDigest Rendered)?> RenderRunAsync(long runId, long? subscriberId = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>($"SELECT {RunRow.Columns} FROM runs WHERE id = @runId", new { runId });
        if (row?.ToRun() is not { } run)
            return null;
        var edition = editions.CurrentValue.Get(run.Edition);
        var articles = await ArticleStore.ForRunAsync(connection, runId);
        string? note = await EditionNotes.ForRunAsync(connection, runId);
        long? id = await connection.ExecuteScalarAsync<long?>(subscriberId is null
            ? "SELECT MIN(subscriber_id) FROM deliveries WHERE run_id = @runId"
            : "SELECT subscriber_id FROM deliveries WHERE run_id = @runId AND subscriber_id = @subscriberId", new { runId, subscriberId });
        var recipient = (id is { } known ? await SubscriberStore.FindAsync(connection, known) : null) ?? StandIn;
        var view = await composer.ComposeRunAsync(edition, run.Slot, articles, runId, note);
        var copy = new DigestCopy(view, composer.ForRecipient(view, edition, recipient));
        return (copy, await renderer.RenderAsync(copy));
    }

    /// <summary>The reader a preview shows when the edition (or run) has nobody: no real subscriber's links.</summary>
    private static readonly Subscriber StandIn = new(0, "reader@example.com", "Reader", SubscriberStatus.Confirmed);

    /// <summary>The future slot <paramref name="at"/> names, or why it names none.</summary>
    public static DateTimeOffset SlotFor(Edition edition, string at, DateTimeOffset now)
    {
        var schedule = new EditionSchedule(edition.Options);
        var slot = schedule.ParseSlot(at, out string? problem) ?? throw new PreviewSlotException($"at: {problem}");
        return slot >= now ? slot
            : throw new PreviewSlotException($"at: {schedule.ToSlotText(slot)} has passed; its run (if any) is on the runs page");
    }

    private static async Task<Subscriber> RecipientAsync(System.Data.Common.DbConnection connection, string edition, long? subscriberId)
    {
        long? id = subscriberId ?? await connection.ExecuteScalarAsync<long?>(
            $"SELECT MIN(a.id) FROM ({SubscriberStore.AudienceQuery}) a", new { edition });
        var found = id is { } known ? await SubscriberStore.FindAsync(connection, known) : null;
        return found ?? StandIn;
    }
}

/// <summary>A preview asked for a slot the edition does not have, or one already past; the message says which.</summary>
public sealed class PreviewSlotException(string message) : Exception(message);

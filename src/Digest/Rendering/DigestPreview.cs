using Dapper;
using Digest.Editions;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Rendering;

/// <summary>
/// The next digest of an edition as a given subscriber would receive it now: the same article window, composer,
/// templates and MIME building as a real run.
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
    public async Task<(DigestView View, RenderedDigest Rendered)> RenderAsync(string editionName, long? subscriberId = null,
        CancellationToken cancellationToken = default)
    {
        var edition = editions.CurrentValue.Get(editionName);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        var articles = await runner.NextArticlesAsync(connection, edition, now);
        var recipient = await RecipientAsync(connection, edition.AudienceList, subscriberId);
        // The note waiting for the next run is the one this digest would carry.
        var note = await notes.GetAsync(edition.Name, cancellationToken);
        var view = await composer.ComposeAsync(edition, now, articles, recipient, note?.Markdown);
        return (view, await renderer.RenderAsync(view));
    }

    private static async Task<Subscriber> RecipientAsync(System.Data.Common.DbConnection connection, string edition, long? subscriberId)
    {
        long? id = subscriberId ?? await connection.ExecuteScalarAsync<long?>(
            $"SELECT MIN(a.id) FROM ({SubscriberStore.AudienceQuery}) a", new { edition });
        var found = id is { } known ? await SubscriberStore.FindAsync(connection, known) : null;
        return found ?? new Subscriber(0, "reader@example.com", "Reader", SubscriberStatus.Confirmed);
    }
}

using System.Data.Common;
using Dapper;
using Digest.Storage;

namespace Digest.Editions;

/// <summary>An editor's note waiting for an edition's next run: Markdown, who wrote it and when.</summary>
public sealed record EditorNote(string Edition, string Markdown, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>
/// Editors' notes. A note is written for an edition's next run; starting that run freezes it into the run (shown in
/// its digest and its archive page) and clears it, so the run after starts without one.
/// </summary>
public sealed class EditionNotes(Database database, TimeProvider time)
{
    /// <summary>Longest note, in characters: a greeting, not an article (the digest keeps its room for the articles).</summary>
    public const int MaxLength = 4000;

    public async Task<EditorNote?> GetAsync(string edition, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<NoteRow>(
            "SELECT edition AS Edition, note AS Note, updated_at AS UpdatedAt, updated_by AS UpdatedBy FROM edition_notes WHERE edition = @edition",
            new { edition = edition.ToLowerInvariant() });
        return row is null ? null : new EditorNote(row.Edition, row.Note, Clock.Parse(row.UpdatedAt), row.UpdatedBy);
    }

    private sealed record NoteRow(string Edition, string Note, string UpdatedAt, string UpdatedBy);

    /// <summary>Sets the note for the edition's next run; an empty one removes it.</summary>
    public async Task SaveAsync(string edition, string markdown, string by, CancellationToken cancellationToken = default)
    {
        if (markdown.Length > MaxLength)
            throw new ArgumentException($"The note is {markdown.Length} characters long; the limit is {MaxLength}.", nameof(markdown));
        await using var connection = await database.OpenAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(markdown))
        {
            await connection.ExecuteAsync("DELETE FROM edition_notes WHERE edition = @edition", new { edition = edition.ToLowerInvariant() });
            return;
        }
        await connection.ExecuteAsync("""
            INSERT INTO edition_notes (edition, note, updated_at, updated_by) VALUES (@edition, @note, @now, @by)
            ON CONFLICT (edition) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """, new { edition = edition.ToLowerInvariant(), note = markdown.ReplaceLineEndings("\n"), now = Clock.Format(time.GetUtcNow()), by });
    }

    /// <summary>
    /// Moves the edition's waiting note into the run, in the run's starting transaction. Taken and deleted in one
    /// statement, so a note saved while the run starts is either in this run or waits for the next, never lost.
    /// </summary>
    internal static async Task FreezeAsync(DbConnection connection, DbTransaction transaction, string edition, long runId)
    {
        string? note = await connection.ExecuteScalarAsync<string?>(
            "DELETE FROM edition_notes WHERE edition = @edition RETURNING note", new { edition }, transaction);
        if (note is not null)
            await connection.ExecuteAsync("UPDATE runs SET note = @note WHERE id = @runId", new { note, runId }, transaction);
    }

    /// <summary>The note frozen into a run, if it had one.</summary>
    public static Task<string?> ForRunAsync(DbConnection connection, long runId) =>
        connection.ExecuteScalarAsync<string?>("SELECT note FROM runs WHERE id = @runId", new { runId });
}

using Dapper;
using Digest.Articles;
using Digest.Storage;

namespace Digest.Editions;

/// <summary>
/// Runs that went out, with the articles frozen into each: what the public archive shows. A run that had nothing to
/// send is not part of it.
/// </summary>
public sealed class RunArchive(Database database)
{
    private const string Sent = $"status IN ('{RunStatus.Sending}', '{RunStatus.Completed}')";

    /// <summary>The most recent sent runs, newest first.</summary>
    public async Task<IReadOnlyList<Run>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(
            $"SELECT {RunRow.Columns} FROM runs WHERE {Sent} ORDER BY created_at DESC, id DESC LIMIT @limit", new { limit });
        return rows.Select(r => r.ToRun()).ToList();
    }

    /// <summary>A sent run, its articles in digest order and its editor's note (Markdown); null when there is no such sent run.</summary>
    public async Task<(Run Run, IReadOnlyList<Article> Articles, string? Note)?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {RunRow.Columns} FROM runs WHERE id = @id AND {Sent}", new { id });
        return row is null ? null : (row.ToRun(), await ArticleStore.ForRunAsync(connection, id), await EditionNotes.ForRunAsync(connection, id));
    }
}

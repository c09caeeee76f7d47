using Dapper;
using Digest.Editions;
using Digest.Storage;

namespace Digest.Delivery;

/// <summary>
/// A run's alert: why its sending waits for the operator (the relay refused the password or the certificate),
/// naming the setting to change. Set when a pass meets the refusal, cleared when a pass delivers again.
/// </summary>
public sealed class RunAlerts(Database database)
{
    public async Task<string?> GetAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>("SELECT alert FROM runs WHERE id = @runId", new { runId });
    }

    /// <summary>The alerts of runs still sending, oldest run first: what stops mail going out right now.</summary>
    public async Task<IReadOnlyList<(long RunId, string Edition, string Alert)>> ActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var alerts = await connection.QueryAsync<(long, string, string)>(
            "SELECT id, edition, alert FROM runs WHERE status = @sending AND alert IS NOT NULL ORDER BY id",
            new { sending = RunStatus.Sending });
        return alerts.ToList();
    }

    /// <summary>Sets (or, with null, clears) the alert; true when it changed.</summary>
    public async Task<bool> SetAsync(long runId, string? alert, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using (await database.WriteTurnAsync(cancellationToken))
            return await connection.ExecuteAsync(
                "UPDATE runs SET alert = @alert WHERE id = @runId AND alert IS DISTINCT FROM @alert",
                new { runId, alert }) > 0;
    }
}

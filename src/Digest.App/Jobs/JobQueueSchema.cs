using Dapper;
using Digest.Storage;
using Hangfire.PostgreSql;
using Npgsql;

namespace Digest.App.Jobs;

/// <summary>
/// Installs or upgrades Hangfire's tables on PostgreSQL, one process at a time, when the service starts. Left to
/// Hangfire, every process installs them as its storage is created: processes starting together race and the
/// losers log an error for each script; and the storage would reach for the database before the settings are
/// checked, so a bad setting could not be reported in words.
/// </summary>
internal sealed class JobQueueSchema(Database database) : IHostedService
{
    private const string LockKey = "digest: job queue schema";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.Provider != StorageProvider.Postgres)
            return;
        await using var connection = (NpgsqlConnection)await database.OpenAsync(cancellationToken);
        // The installer runs transactions of its own: a session lock, not a transaction's.
        await connection.ExecuteAsync("SELECT pg_advisory_lock(hashtext(@LockKey))", new { LockKey });
        try
        {
            PostgreSqlObjectsInstaller.Install(connection);
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(hashtext(@LockKey))", new { LockKey });
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Storage;

/// <summary>Opens connections to the configured store and brings its schema up to date.</summary>
public sealed class Database
{
    private readonly string _connectionString;
    private readonly ILogger<Database> _logger;

    static Database()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public Database(IOptions<StorageOptions> options, IHostEnvironment environment, ILogger<Database> logger)
    {
        _logger = logger;
        var storage = options.Value;
        DataDirectory = Path.GetFullPath(storage.DataDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(DataDirectory);
        _connectionString = string.IsNullOrWhiteSpace(storage.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "digest.db") }.ToString()
            : storage.ConnectionString;
    }

    /// <summary>Absolute path of the data folder.</summary>
    public string DataDirectory { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Readers never block the single writer; the inbox, the web and the sender share the file.
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        return connection;
    }

    /// <summary>Applies every migration not yet applied, in order, each in its own transaction.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_version")).ToHashSet();
        foreach (var migration in Migrations.All.Where(m => !applied.Contains(m.Version)))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(migration.Sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, applied_at) VALUES (@Version, @Now)",
                new { migration.Version, Now = Clock.Format(DateTimeOffset.UtcNow) }, transaction);
            await transaction.CommitAsync(cancellationToken);
            _logger.LogInformation("Applied schema migration {Version}: {Name}", migration.Version, migration.Name);
        }
    }
}

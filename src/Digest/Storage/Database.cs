using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Storage;

/// <summary>
/// Opens connections to the configured store (SQLite or PostgreSQL) and brings its schema up to date. Both run the
/// same SQL: the few dialect differences live in <see cref="Dialect"/>.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly ILogger<Database> _logger;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _checkpointerLock = new();
    private WalCheckpointer? _checkpointer;
    private bool _disposed;

    static Database()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public Database(IOptions<StorageOptions> options, IHostEnvironment environment, ILogger<Database> logger)
    {
        _logger = logger;
        var storage = options.Value;
        Provider = storage.Provider;
        DataDirectory = Path.GetFullPath(storage.DataDirectory, environment.ContentRootPath);
        _connectionString = Provider == StorageProvider.Postgres
            ? storage.ConnectionString!
            : string.IsNullOrWhiteSpace(storage.ConnectionString)
                ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "digest.db") }.ToString()
                : storage.ConnectionString;
        DataFolderException.Prepare(DataDirectory, Provider == StorageProvider.Sqlite ? SqliteFile(_connectionString) : null);
        Dialect = StorageDialect.For(Provider, _connectionString);
    }

    public StorageProvider Provider { get; }

    /// <summary>What the configured store does differently from the other.</summary>
    public StorageDialect Dialect { get; }

    /// <summary>The database file of a SQLite connection string; null for in-memory and URI forms.</summary>
    private static string? SqliteFile(string connectionString)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        return sqlite.Mode != SqliteOpenMode.Memory && sqlite.DataSource is { Length: > 0 } file && file != ":memory:" && !file.StartsWith("file:", StringComparison.Ordinal)
            ? Path.GetFullPath(file)
            : null;
    }

    /// <summary>Absolute path of the data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The connection string in use, for components that share the store (the PostgreSQL job queue).</summary>
    public string ConnectionString => _connectionString;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = await Dialect.OpenAsync(cancellationToken);
        if (Dialect.WritersTakeTurns)
            StartCheckpointer();
        return connection;
    }

    /// <summary>From the first connection on: a store that is never opened gets no log and no checkpointer.</summary>
    private void StartCheckpointer()
    {
        if (_checkpointer is not null)
            return;
        lock (_checkpointerLock)
        {
            if (_checkpointer is null && !_disposed)
                _checkpointer = new WalCheckpointer(OpenAsync, WriteTurnAsync, _logger);
        }
    }

    /// <summary>Throws when the store cannot be reached or does not answer.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteScalarAsync<long>("SELECT 1");
    }

    /// <summary>
    /// Applies every migration not yet applied, in order, each in its own transaction. Safe when several processes
    /// start at once: each migration is applied under a lock (SQLite's write lock, a PostgreSQL advisory lock) and
    /// skipped by whoever finds it already applied.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var migration in Migrations.All)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await SerialiseAsync(connection, transaction, "schema migrations");
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)", transaction: transaction);
            bool applied = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM schema_version WHERE version = @Version", new { migration.Version }, transaction) > 0;
            if (applied)
                continue;
            await connection.ExecuteAsync(migration.Sql.Replace("{pk}", Dialect.IdentityPrimaryKey), transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, applied_at) VALUES (@Version, @Now)",
                new { migration.Version, Now = Clock.Format(DateTimeOffset.UtcNow) }, transaction);
            await transaction.CommitAsync(cancellationToken);
            _logger.LogInformation("Applied schema migration {Version}: {Name}", migration.Version, migration.Name);
        }
    }

    /// <inheritdoc cref="StorageDialect.SerialiseAsync"/>
    public Task SerialiseAsync(DbConnection connection, DbTransaction transaction, string key) =>
        Dialect.SerialiseAsync(connection, transaction, key);

    /// <summary>
    /// Waits for this process's turn to write, for the writers that take turns many times a second (the ledger's
    /// claims and outcomes). SQLite has one writer at a time, and a writer that finds the file locked sleeps in
    /// whole milliseconds before trying again: taking turns here hands the lock straight on instead. PostgreSQL
    /// writers need no turn.
    /// </summary>
    public async ValueTask<WriteTurn> WriteTurnAsync(CancellationToken cancellationToken)
    {
        if (!Dialect.WritersTakeTurns)
            return default;
        await _writer.WaitAsync(cancellationToken);
        return new WriteTurn(_writer);
    }

    /// <summary>A turn to write; disposing it gives the turn to the next writer.</summary>
    public readonly struct WriteTurn(SemaphoreSlim? turn) : IDisposable
    {
        public void Dispose() => turn?.Release();
    }

    /// <inheritdoc cref="StorageDialect.RelaxDurabilityAsync"/>
    public Task RelaxDurabilityAsync(DbConnection connection) => Dialect.RelaxDurabilityAsync(connection);

    /// <inheritdoc cref="StorageDialect.SkipLockedRows"/>
    public string SkipLockedRows => Dialect.SkipLockedRows;

    public async ValueTask DisposeAsync()
    {
        WalCheckpointer? checkpointer;
        lock (_checkpointerLock)
        {
            _disposed = true;
            checkpointer = _checkpointer;
        }
        if (checkpointer is not null)
            await checkpointer.DisposeAsync();
        await Dialect.DisposeAsync();
    }
}

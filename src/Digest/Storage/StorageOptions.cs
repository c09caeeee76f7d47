namespace Digest.Storage;

public enum StorageProvider { Sqlite, Postgres }

/// <summary>The "Storage" section: where Digest keeps its articles, subscribers, runs and ledger.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Sqlite (default, embedded, one process) or Postgres (any number of processes share the store and the job queue).</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Folder for the SQLite file, the inbox and the pickup folder defaults; relative to the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Connection string. Required for Postgres (e.g. <c>Host=db;Database=digest;Username=digest;Password=…</c>, best
    /// given as the environment variable <c>Storage__ConnectionString</c>); for SQLite the default is
    /// <c>{DataDirectory}/digest.db</c>.
    /// </summary>
    public string? ConnectionString { get; set; }
}

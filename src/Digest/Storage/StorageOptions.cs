namespace Digest.Storage;

/// <summary>The "Storage" section: where Digest keeps its articles, subscribers, runs and ledger.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Sqlite (default, embedded) or Postgres.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Folder for the SQLite file, the inbox and the pickup folder defaults; relative to the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Optional explicit connection string; for SQLite the default is <c>{DataDirectory}/digest.db</c>.</summary>
    public string? ConnectionString { get; set; }
}

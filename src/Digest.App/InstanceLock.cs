using Digest.Storage;

namespace Digest.App;

/// <summary>Another Digest process already runs on the same data folder; the message names it.</summary>
internal sealed class InstanceLockException(string message) : Exception(message);

/// <summary>
/// Keeps a second service process off a SQLite data folder: both would run the scheduler and the feed polls. The
/// lock is an exclusive lock on <c>digest.lock</c> (flock, released by the kernel when the process ends, however it
/// ends); the holder's process ID is written beside it so the refusal can name it. Commands (send, runs …) take no lock.
/// </summary>
internal sealed class InstanceLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _ownerFile;

    private InstanceLock(FileStream held, string ownerFile)
    {
        _lock = held;
        _ownerFile = ownerFile;
    }

    /// <summary>The lock for a service on SQLite; null on PostgreSQL, where any number of processes share the store.</summary>
    public static InstanceLock? ForService(IServiceProvider services) =>
        services.GetRequiredService<Database>() is { Provider: StorageProvider.Sqlite } database ? Acquire(database.DataDirectory) : null;

    public static InstanceLock Acquire(string dataFolder)
    {
        string path = Path.Combine(dataFolder, "digest.lock");
        string ownerFile = path + ".pid";
        FileStream held;
        try
        {
            var options = DataFolderException.OwnerOnly(FileMode.OpenOrCreate);
            options.Share = FileShare.None; // on Linux and macOS: flock(LOCK_EX | LOCK_NB)
            held = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            string owner = File.Exists(ownerFile) ? File.ReadAllText(ownerFile).Trim() : "another process";
            throw new InstanceLockException(
                $"another Digest ({owner}) is already running on the data folder {dataFolder} (it holds {path}). " +
                "Stop it first, or give this one its own folder with Storage:DataDirectory. With SQLite only one service " +
                "process may use a data folder; to run several, use Storage:Provider Postgres.");
        }
        File.WriteAllText(ownerFile, $"process {Environment.ProcessId} on {Environment.MachineName}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z");
        return new InstanceLock(held, ownerFile);
    }

    public void Dispose()
    {
        File.Delete(_ownerFile);
        _lock.Dispose();
    }
}

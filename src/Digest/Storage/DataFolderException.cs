namespace Digest.Storage;

/// <summary>The data folder (or the SQLite file in it) cannot be created or written; the message names the path and the fix.</summary>
public sealed class DataFolderException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>Creates the folder, and the SQLite file readable by its owner only (0600) when it does not exist yet.</summary>
    internal static void Prepare(string folder, string? sqliteFile)
    {
        try
        {
            Directory.CreateDirectory(folder);
            if (sqliteFile is not null && !File.Exists(sqliteFile))
                using (File.Open(sqliteFile, OwnerOnly(FileMode.CreateNew))) { }
            // SQLite writes its log and index files beside the database: the folder itself must take new files.
            string probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}");
            using (File.Open(probe, OwnerOnly(FileMode.Create))) { }
            File.Delete(probe);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or IOException)
        {
            throw new DataFolderException(
                $"the data folder {folder} cannot be written ({error.Message}). Digest keeps its database there: give the user " +
                $"running Digest ({Environment.UserName}) write permission on it (e.g. chown -R {Environment.UserName} {folder}; chmod u+rwx {folder}), " +
                "or choose another folder with Storage:DataDirectory.", error);
        }
    }

    internal static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }
}

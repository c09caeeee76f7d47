using System.Diagnostics;
using Dapper;
using Digest.Storage;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Digest.Tests.Storage;

/// <summary>
/// No commit copies SQLite's log back into the database file (a send would wait for it): the store does that
/// beside the writers. The log must still stay small while writes go on, or a long send fills the disk.
/// </summary>
public sealed class WriteAheadLogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("digest-wal-").FullName;

    [Fact]
    public async Task Log_StaysAFractionOfWhatWasWritten_WhileWritesGoOnForSeconds()
    {
        await using var database = new Database(Options.Create(new StorageOptions { DataDirectory = _folder }),
            new HostingEnvironment { ContentRootPath = _folder }, NullLogger<Database>.Instance);
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
        var body = new byte[8192];
        long written = 0, rows = 0;

        // At least eight checkpoint intervals of steady writing, as a send writes its ledger, and enough rows that one
        // interval's writes are a small part of the whole even when a loaded machine writes slowly (timing alone left
        // a slow run with 21 rows, all between two checkpoints).
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WalCheckpointer.Interval * 8 || rows < 400)
        {
            using (await database.WriteTurnAsync(CancellationToken.None))
                await connection.ExecuteAsync("INSERT INTO pages (body) VALUES (@body)", new { body });
            written += body.Length;
            if (++rows % 20 == 0)
                await Task.Delay(5);
        }

        // Never copied back, the log holds every page written: about twice the bytes (a row spans three pages).
        long log = new FileInfo(Path.Combine(_folder, "digest.db-wal")).Length;
        Assert.True(log < written, $"the log is {log:N0} bytes after {written:N0} bytes written");
        Assert.Equal(rows, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pages"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

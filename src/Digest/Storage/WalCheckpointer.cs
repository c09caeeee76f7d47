using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Digest.Storage;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file a few times a second, beside the writers. Left to
/// SQLite, the copy (and its two disk flushes) runs inside whichever commit takes the log past 1,000 pages: during
/// a send, that commit held every connection's next message for a few milliseconds, some 350 times per 100,000
/// messages.
/// </summary>
/// <remarks>
/// The bulk of each copy runs while the writers go on. Then the few pages written meanwhile are copied in the
/// writers' turn, so the copy is complete and the next commit starts the log over: the file stays small.
/// </remarks>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly Func<CancellationToken, ValueTask<Database.WriteTurn>> _writeTurn;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WalCheckpointer(Func<CancellationToken, Task<DbConnection>> open, Func<CancellationToken, ValueTask<Database.WriteTurn>> writeTurn, ILogger logger)
    {
        _open = open;
        _writeTurn = writeTurn;
        _logger = logger;
        _loop = Task.Run(CheckpointEveryIntervalAsync);
    }

    private async Task CheckpointEveryIntervalAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        DbConnection? connection = null;
        bool failing = false;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    connection ??= await _open(_stop.Token);
                    await CheckpointAsync(connection);
                    failing = false;
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // Said once, not four times a second: the log only grows until the store answers again.
                    if (!failing)
                        _logger.LogWarning(error, "Cannot copy the SQLite write-ahead log into the database file; trying again");
                    failing = true;
                    if (connection is not null)
                        await connection.DisposeAsync();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync();
        }
    }

    private async Task CheckpointAsync(DbConnection connection)
    {
        // Writers append while this runs: the log it reports copied is the log as it found it.
        if (await PassiveAsync(connection) == 0)
            return;
        using (await _writeTurn(_stop.Token))
            await PassiveAsync(connection);
    }

    /// <summary>PASSIVE: copies what no reader still needs, never waits. Returns the pages the log held.</summary>
    private static async Task<long> PassiveAsync(DbConnection connection)
    {
        var (_, log, _) = await connection.QuerySingleAsync<(long Busy, long Log, long Copied)>("PRAGMA wal_checkpoint(PASSIVE)");
        return log;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

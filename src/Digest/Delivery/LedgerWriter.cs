using System.Diagnostics;
using System.Threading.Channels;

namespace Digest.Delivery;

/// <summary>
/// Group commit for one run's outcomes: every sender hands in its outcome and goes on with its next message, whose
/// end waits until the outcome is durable, while one loop writes whatever has gathered in a single transaction.
/// The ledger then costs one commit per round of connections instead of one per message, and a crash can cut off
/// at most the one message each connection had in flight. Where the store takes writers side by side (PostgreSQL),
/// a second commit starts while the first is on its way, so an outcome never waits a whole commit for its turn:
/// each connection's pace is bound by one commit's round trip, not two.
/// </summary>
internal sealed class LedgerWriter : IAsyncDisposable
{
    private readonly Channel<(DeliveryOutcome Outcome, TaskCompletionSource Written)> _queue =
        Channel.CreateUnbounded<(DeliveryOutcome, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    // Connections free to commit on, kept open between commits with their statement compiled once (a run commits tens
    // of thousands of times); null stands for one not opened yet.
    private readonly Channel<OutcomeRecorder?> _recorders = Channel.CreateUnbounded<OutcomeRecorder?>();
    private readonly DeliveryLedger _ledger;
    private readonly long _runId;
    private readonly DigestMetrics _metrics;
    private readonly Task _loop;

    public LedgerWriter(DeliveryLedger ledger, long runId, DigestMetrics metrics)
    {
        _ledger = ledger;
        _runId = runId;
        _metrics = metrics;
        for (int i = 0; i < ledger.CommitsAtOnce; i++)
            _recorders.Writer.TryWrite(null);
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Completes once the outcome is committed.</summary>
    public Task RecordAsync(DeliveryOutcome outcome)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((outcome, written)))
            throw new InvalidOperationException("The ledger writer is closed.");
        return written.Task;
    }

    private async Task WriteLoopAsync()
    {
        var writes = new List<Task>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            // A free connection first: whatever arrives meanwhile joins this commit.
            var recorder = await _recorders.Reader.ReadAsync();
            var pending = new List<(DeliveryOutcome Outcome, TaskCompletionSource Written)>();
            while (_queue.Reader.TryRead(out var item))
                pending.Add(item);
            writes.RemoveAll(w => w.IsCompleted);
            writes.Add(WriteAsync(recorder, pending));
        }
        await Task.WhenAll(writes);
    }

    /// <summary>Commits one group and gives its connection back (a fresh one next time, if this one failed).</summary>
    private async Task WriteAsync(OutcomeRecorder? recorder, List<(DeliveryOutcome Outcome, TaskCompletionSource Written)> pending)
    {
        try
        {
            // Not cancellable: an outcome the server has accepted must reach the ledger even while stopping.
            recorder ??= await _ledger.OpenRecorderAsync(CancellationToken.None);
            long started = Stopwatch.GetTimestamp();
            await _ledger.RecordAsync(recorder, _runId, pending.Select(p => p.Outcome).ToList(), CancellationToken.None);
            _metrics.Committed(started);
            pending.ForEach(p => p.Written.TrySetResult());
        }
        catch (Exception error)
        {
            pending.ForEach(p => p.Written.TrySetException(error));
            // The connection may be what failed: the next write opens a fresh one.
            if (recorder is not null)
                await recorder.DisposeAsync();
            recorder = null;
        }
        _recorders.Writer.TryWrite(recorder);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _recorders.Writer.TryComplete();
        await foreach (var recorder in _recorders.Reader.ReadAllAsync())
            if (recorder is not null)
                await recorder.DisposeAsync();
    }
}

using System.Diagnostics;
using System.Threading.Channels;

namespace Digest.Delivery;

/// <summary>
/// Group commit for one run's outcomes: every sender hands in its outcome and goes on with its next message, whose
/// end waits until the outcome is durable, while one loop writes whatever has gathered in a single transaction.
/// The ledger then costs one commit per round of connections instead of one per message, and a crash can cut off
/// at most the one message each connection had in flight.
/// </summary>
internal sealed class LedgerWriter : IAsyncDisposable
{
    private readonly Channel<(DeliveryOutcome Outcome, TaskCompletionSource Written)> _queue =
        Channel.CreateUnbounded<(DeliveryOutcome, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DeliveryLedger _ledger;
    private readonly long _runId;
    private readonly DigestMetrics _metrics;
    private readonly Task _loop;
    // Kept open between commits, its statement compiled once: a run commits tens of thousands of times.
    private OutcomeRecorder? _recorder;

    public LedgerWriter(DeliveryLedger ledger, long runId, DigestMetrics metrics)
    {
        _ledger = ledger;
        _runId = runId;
        _metrics = metrics;
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
        var pending = new List<(DeliveryOutcome Outcome, TaskCompletionSource Written)>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (_queue.Reader.TryRead(out var item))
                pending.Add(item);
            try
            {
                // Not cancellable: an outcome the server has accepted must reach the ledger even while stopping.
                _recorder ??= await _ledger.OpenRecorderAsync(CancellationToken.None);
                long started = Stopwatch.GetTimestamp();
                await _ledger.RecordAsync(_recorder, _runId, pending.Select(p => p.Outcome).ToList(), CancellationToken.None);
                _metrics.Committed(started);
                pending.ForEach(p => p.Written.TrySetResult());
            }
            catch (Exception error)
            {
                pending.ForEach(p => p.Written.TrySetException(error));
                // The connection may be what failed: the next write opens a fresh one.
                await DropConnectionAsync();
            }
            pending.Clear();
        }
    }

    private async Task DropConnectionAsync()
    {
        if (_recorder is not null)
            await _recorder.DisposeAsync();
        _recorder = null;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await DropConnectionAsync();
    }
}

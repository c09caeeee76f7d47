using System.Diagnostics;
using System.Threading.Channels;

namespace Digest.Delivery;

/// <summary>
/// Group commit for a process's outcomes, over every run and batch it sends side by side: every sender hands in its
/// outcome and goes on with its next message, whose end waits until the outcome is durable, while one loop writes
/// whatever has gathered in a single transaction. A crash can cut off at most the one message each connection had in
/// flight. Outcomes gather until a sender needs one of them committed (its next message is ready to end, or it waits
/// for a place among the unrecorded), as many have gathered as there are connections, or <see cref="Gathering"/> has
/// passed: committing each outcome the moment it arrived made a commit per message (groups of 1.06 on PostgreSQL,
/// where each commit is a round trip and most of the server's work). One commit is on its way at a time, on one
/// connection: whatever arrives meanwhile joins the next. A second commit on its way beside the first (on PostgreSQL)
/// made groups no larger (about 480 commits per 1,000 messages either way) and sending no faster in the scale-out
/// benchmark, for a second connection and a pool of them.
/// </summary>
internal sealed class LedgerWriter : IAsyncDisposable
{
    // Not marked single-reader: that channel cannot count what is waiting, which says when a group is full.
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    // The connection commits go over, kept open between commits with its statements compiled once (a run commits tens
    // of thousands of times); null until the first commit, and after one failed.
    private OutcomeRecorder? _recorder;
    private readonly DeliveryLedger _ledger;
    private readonly DigestMetrics _metrics;
    private readonly int _connections;
    private readonly Task _loop;
    // Completed by a sender that waits for a commit; a fresh one for each group. Its continuation (taking the group
    // and starting its commit) runs on that sender's thread: handing it to another thread cost a hand-off per group,
    // and the sender has nothing to do but wait for it.
    private volatile TaskCompletionSource _needed = new();
    // Ends a group's gathering after Gathering: one timer for the writer's life, set for each group that waits. A
    // delay per group (Task.Delay) went on to fire after the group had been committed without it, waking a thread of
    // the pool for nothing, for nearly every group.
    private readonly ITimer _gathering;
    // The group the timer is set for: a timer that fires late, after a sender started that group's commit, leaves the
    // next group gathering (unless its callback reads this only once the next group is set for: that group is then
    // committed early, and smaller, which costs a commit and loses nothing).
    private TaskCompletionSource? _timed;

    /// <summary>
    /// The longest an outcome waits for others to join its commit when no sender needs it yet: far below a relay's
    /// round trip, so over a network the commit is done before the sender's next message is ready to end.
    /// </summary>
    internal static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(2);

    private sealed record Pending(long RunId, DeliveryOutcome Outcome, TaskCompletionSource Written, Action? Done);

    public LedgerWriter(DeliveryLedger ledger, DigestMetrics metrics, int connections)
    {
        _ledger = ledger;
        _metrics = metrics;
        _connections = connections;
        _gathering = TimeProvider.System.CreateTimer(_ => Volatile.Read(ref _timed)?.TrySetResult(), null, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Completes once the outcome is committed; <paramref name="done"/> is called first, on the writer's thread, once
    /// the commit has succeeded or failed (something quick: a hand-off to another thread per outcome costs more).
    /// </summary>
    public Task RecordAsync(long runId, DeliveryOutcome outcome, Action? done = null)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(runId, outcome, written, done)))
            throw new InvalidOperationException("The ledger writer is closed.");
        // A full group waits for no one.
        if (_queue.Reader.Count >= _connections)
            Hurry();
        return written.Task;
    }

    /// <summary>Waits for an outcome's commit (from <see cref="RecordAsync"/>), starting it now if it has not started.</summary>
    public Task CommittedAsync(Task recorded)
    {
        if (!recorded.IsCompleted)
            Hurry();
        return recorded;
    }

    /// <summary>Commits what has gathered now (or, if nothing has, the next outcome as soon as it comes).</summary>
    public void Hurry() => _needed.TrySetResult();

    private async Task WriteLoopAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            var needed = _needed;
            if (!needed.Task.IsCompleted && _queue.Reader.Count < _connections)
            {
                Volatile.Write(ref _timed, needed);
                _gathering.Change(Gathering, Timeout.InfiniteTimeSpan);
                await needed.Task;
                _gathering.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            // Replaced before the group is taken: a sender that needs an outcome left for the next group is heard.
            _needed = new TaskCompletionSource();
            var pending = new List<Pending>();
            while (_queue.Reader.TryRead(out var item))
                pending.Add(item);
            await WriteAsync(pending);
        }
    }

    /// <summary>Commits one group (on a fresh connection next time, if this one failed).</summary>
    private async Task WriteAsync(List<Pending> pending)
    {
        try
        {
            // Not cancellable: an outcome the server has accepted must reach the ledger even while stopping.
            _recorder ??= await _ledger.OpenRecorderAsync(CancellationToken.None);
            long started = Stopwatch.GetTimestamp();
            await _ledger.RecordAsync(_recorder, pending.Select(p => (p.RunId, p.Outcome)).ToList(), CancellationToken.None);
            _metrics.Committed(started);
            pending.ForEach(p =>
            {
                p.Done?.Invoke();
                p.Written.TrySetResult();
            });
        }
        catch (Exception error)
        {
            pending.ForEach(p =>
            {
                p.Done?.Invoke();
                p.Written.TrySetException(error);
            });
            // The connection may be what failed: the next write opens a fresh one.
            if (_recorder is not null)
                await _recorder.DisposeAsync();
            _recorder = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // What has gathered goes now, not after the gathering time.
        Hurry();
        await _loop;
        await _gathering.DisposeAsync();
        if (_recorder is not null)
            await _recorder.DisposeAsync();
    }
}

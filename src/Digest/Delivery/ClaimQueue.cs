using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Digest.Delivery;

/// <summary>
/// Claims waiting for a pass's senders. The claimer tops the queue up a whole chunk at a time, once it has fallen to
/// half a chunk, so the senders never wait for the ledger's next query and the claimer wakes once per chunk: a queue
/// bounded at one chunk woke it for every copy taken, a hand-off between threads per message.
/// </summary>
internal sealed class ClaimQueue<T>(int chunk)
{
    // Not marked single-reader: that channel cannot count what is waiting.
    private readonly Channel<T> _waiting = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly int _lowWater = chunk / 2;
    private volatile TaskCompletionSource _low = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Claims waiting to be sent.</summary>
    public int Count => _waiting.Reader.Count;

    public void Add(T claim)
    {
        if (!_waiting.Writer.TryWrite(claim))
            throw new InvalidOperationException("The pass has stopped taking claims.");
    }

    /// <summary>Completes once the queue is down to half a chunk: time to claim the next.</summary>
    public Task RoomAsync(CancellationToken cancellationToken)
    {
        // Armed before the count is read: a sender that takes the queue down after the read completes this one.
        var low = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _low = low;
        return Count <= _lowWater ? Task.CompletedTask : low.Task.WaitAsync(cancellationToken);
    }

    /// <summary>No more claims: the senders end once they have taken what waits.</summary>
    public void Complete() => _waiting.Writer.TryComplete();

    public async IAsyncEnumerable<T> TakeAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = _waiting.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
            while (reader.TryRead(out var claim))
            {
                if (reader.Count <= _lowWater)
                    _low.TrySetResult();
                yield return claim;
            }
    }
}

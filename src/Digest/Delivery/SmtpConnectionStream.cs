using System.Net.Sockets;

namespace Digest.Delivery;

/// <summary>
/// The stream under one SMTP connection. Writes gather until MailKit flushes (after a pipelined group of commands,
/// after a message's end), then leave in one send: a 20 KB digest goes out in one system call instead of one per
/// 4 KB block, which on a busy sender costs less CPU on both ends. Reads and sends give up after the timeouts
/// MailKit sets, as its own socket stream does.
/// </summary>
internal sealed class SmtpConnectionStream(Socket socket) : Stream
{
    /// <summary>More than this gathered is sent without waiting for a flush.</summary>
    private const int MaxGathered = 256 * 1024;

    private readonly MemoryStream _gathered = new();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override bool CanTimeout => true;
    public override int ReadTimeout { get; set; } = Timeout.Infinite;
    public override int WriteTimeout { get; set; } = Timeout.Infinite;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var timeout = Within(ReadTimeout, cancellationToken);
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the SMTP server sent nothing for {ReadTimeout} ms");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        socket.ReceiveTimeout = ReadTimeout == Timeout.Infinite ? 0 : ReadTimeout;
        return socket.Receive(buffer, offset, count, SocketFlags.None);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _gathered.Write(buffer.Span);
        if (_gathered.Length >= MaxGathered)
            await FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => _gathered.Write(buffer, offset, count);

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_gathered.Length == 0)
            return;
        using var timeout = Within(WriteTimeout, cancellationToken);
        try
        {
            var pending = _gathered.GetBuffer().AsMemory(0, (int)_gathered.Length);
            while (pending.Length > 0)
                pending = pending[await socket.SendAsync(pending, SocketFlags.None, timeout.Token)..];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the SMTP server took nothing for {WriteTimeout} ms");
        }
        finally
        {
            _gathered.SetLength(0);
        }
    }

    public override void Flush()
    {
        socket.SendTimeout = WriteTimeout == Timeout.Infinite ? 0 : WriteTimeout;
        socket.Send(_gathered.GetBuffer(), 0, (int)_gathered.Length, SocketFlags.None);
        _gathered.SetLength(0);
    }

    private static CancellationTokenSource Within(int milliseconds, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (milliseconds != Timeout.Infinite)
            timeout.CancelAfter(milliseconds);
        return timeout;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
            _gathered.Dispose();
        }
        base.Dispose(disposing);
    }

    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

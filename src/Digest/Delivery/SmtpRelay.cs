using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;

namespace Digest.Delivery;

/// <summary>
/// One configured SMTP server: its open connections (at most <see cref="SmtpServerOptions.Connections"/>, each
/// used by one sender at a time), its pace, and its health. A server that says 421 and hangs up leaves the rotation
/// for a back-off that doubles while it keeps doing so; one that cannot be reached leaves it until it answers a probe.
/// </summary>
internal sealed class SmtpRelay : IAsyncDisposable
{
    /// <summary>This many 4xx replies in a row, without an acceptance between them, count as a push-back.</summary>
    private const int TransientBurst = 3;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    /// <summary>A probe gives up after this long (or the connection timeout, if shorter): a dead server costs one such wait at a time.</summary>
    private static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(5);
    /// <summary>Out of rotation until a probe answers.</summary>
    private const long UntilItAnswers = long.MaxValue;

    private readonly SmtpOptions _common;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentQueue<(SmtpClient Client, long LastUsed)> _idle = new();
    private readonly RelayTrust _trust;
    private readonly Lock _health = new();
    private int _failures;
    private int _transientInARow;
    private long _outUntil;
    private string? _outReason;
    private Task? _probing;
    private readonly CancellationTokenSource _closing = new();
    private readonly Action _answersAgain;

    /// <param name="answersAgain">Called when the server, out of rotation because it could not be reached, answers a probe.</param>
    public SmtpRelay(SmtpServerOptions server, SmtpOptions common, RelayTrust trust, SenderShare share, TimeProvider time, ILogger logger,
        Action answersAgain)
    {
        _answersAgain = answersAgain;
        _trust = trust;
        Server = server;
        _common = common;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(server.Connections, server.Connections);
        Pacer = new SendPacer(server.MaxMessagesPerSecond, time, share);
    }

    public SmtpServerOptions Server { get; }

    /// <summary>The server's settings section, for messages that name a setting.</summary>
    public string Section => _trust.Section;
    public SendPacer Pacer { get; }

    /// <summary>When the server is back in rotation; in the past while it is in.</summary>
    public long OutUntil
    {
        get { lock (_health) return _outUntil; }
    }

    public bool InRotation => OutUntil <= _time.GetTimestamp();

    /// <summary>Out of rotation because it could not be reached: back only once it answers a probe.</summary>
    public bool Unreachable => OutUntil == UntilItAnswers;

    /// <summary>Why the server last left the rotation, e.g. "cannot connect: SocketException: Connection refused".</summary>
    public string? OutOfRotationBecause
    {
        get { lock (_health) return _outReason; }
    }

    /// <summary>Takes one of the server's connection slots if one is free.</summary>
    public bool TryTakeSlot() => _slots.Wait(0);

    /// <summary>An open connection for the slot just taken: an idle one (<c>Reused</c>), or a new one.</summary>
    public async Task<(SmtpClient Client, bool Reused)> ConnectionAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryDequeue(out var idle))
        {
            if (idle.Client.IsConnected)
                return (idle.Client, true);
            idle.Client.Dispose();
        }
        var client = new SmtpClient { Timeout = (int)_common.Timeout.TotalMilliseconds };
        var refusal = _trust.Apply(client);
        try
        {
            var socket = await OpenSocketAsync(_common.Timeout, cancellationToken);
            // With Security StartTls, MailKit refuses a server that does not offer STARTTLS: never plain text by accident.
            await ConnectAsync(client, socket, refusal, cancellationToken);
            if (!string.IsNullOrEmpty(Server.Username))
                await client.AuthenticateAsync(Server.Username, Server.Password ?? "", cancellationToken);
            DeclareNoSizes(client);
        }
        catch (Exception error) when (RelayRefusedException.From(error, Server, _trust.Section) is { } refused && refused != error)
        {
            client.Dispose();
            throw refused;
        }
        catch
        {
            client.Dispose();
            throw;
        }
        _logger.LogInformation("Connected to SMTP server {Server}", Server);
        return (client, false);
    }

    /// <summary>
    /// Turns off SMTP SIZE (RFC 1870) for this connection, through MailKit's own switch for a server's capabilities
    /// (known once connected and authenticated). To declare a size MailKit writes every message twice, once to measure
    /// it; a digest is some tens of kilobytes, far below any relay's limit, and a relay that finds one too big still
    /// refuses it for good at its end (552).
    /// </summary>
    private static void DeclareNoSizes(SmtpClient client) => client.Capabilities &= ~SmtpCapabilities.Size;

    /// <summary>Connects, turning a refused certificate into the reason, naming the setting to change.</summary>
    private async Task ConnectAsync(SmtpClient client, Socket socket, Func<string?> refusal, CancellationToken cancellationToken)
    {
        try
        {
            await client.ConnectAsync(new SmtpConnectionStream(socket), Server.Host, Server.Port, Server.Security, cancellationToken);
        }
        catch (SslHandshakeException error) when (refusal() is { } reason)
        {
            throw new RelayRefusedException($"SMTP server {Server} refused: {reason}", error);
        }
    }

    /// <summary>
    /// A TCP connection with Nagle's algorithm off: SMTP ends every message with a short "." line, which Nagle holds
    /// back until the server's delayed ACK (about 40 ms), capping each connection at some 25 messages a second.
    /// </summary>
    private async Task<Socket> OpenSocketAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        try
        {
            await socket.ConnectAsync(Server.Host, Server.Port, timeout.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no answer from {Server} within {within}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Gives the slot back, keeping the connection for the next sender when it is still usable.</summary>
    public void Release(SmtpClient? client)
    {
        if (client is { IsConnected: true } && _idle.Count < Server.Connections)
            _idle.Enqueue((client, _time.GetTimestamp()));
        else
            client?.Dispose();
        _slots.Release();
    }

    public void Accepted()
    {
        lock (_health)
        {
            _failures = 0;
            _transientInARow = 0;
        }
        Pacer.Accepted();
    }

    /// <summary>A 4xx reply to one message: a run of them (or one 421) means the server wants us slower.</summary>
    public void Deferred(bool closing)
    {
        Pacer.Answered();
        bool burst;
        lock (_health)
            burst = ++_transientInARow >= TransientBurst;
        if (closing || burst)
        {
            Pacer.SlowDown();
            _logger.LogWarning("SMTP server {Server} is pushing back; slowing to {Rate:0.#} messages/s", Server, Pacer.Rate);
            lock (_health)
                _transientInARow = 0;
        }
        if (closing)
            Failed("it replied 421 and closed the connection");
    }

    /// <summary>The server could not be reached, dropped the connection, or is closing: out of rotation for a while.</summary>
    public void Failed(string reason)
    {
        TimeSpan backoff;
        lock (_health)
        {
            _failures++;
            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _common.ServerBackoff.Ticks * (1L << Math.Min(_failures - 1, 20))));
            _outUntil = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
            _outReason = reason;
        }
        _logger.LogWarning("SMTP server {Server} is out of rotation for {Backoff}: {Reason}", Server, backoff, reason);
    }

    /// <summary>
    /// The server could not be reached, or a fresh connection to it failed: out of rotation until it answers a probe,
    /// tried every <see cref="SmtpOptions.ProbeInterval"/>. A back-off would keep it out long after it is back.
    /// </summary>
    public void CannotBeReached(string reason)
    {
        lock (_health)
        {
            _outUntil = UntilItAnswers;
            _outReason = reason;
            if (_probing is not null)
                return; // the other senders that found it gone at the same moment: already said, already probing
            _probing = ProbeUntilItAnswersAsync(_time.GetTimestamp());
        }
        _logger.LogWarning("SMTP server {Server} is out of rotation: {Reason}. Probing it every {Interval} until it answers",
            Server, reason, _common.ProbeInterval);
    }

    private async Task ProbeUntilItAnswersAsync(long since)
    {
        try
        {
            do
                await Task.Delay(_common.ProbeInterval, _time, _closing.Token);
            while (!await AnswersAsync(_closing.Token));
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return; // the transport is closing
        }
        lock (_health)
        {
            _outUntil = 0;
            _probing = null;
        }
        _logger.LogInformation("SMTP server {Server} answers again after {Outage:0.#} s out of rotation: back in rotation",
            Server, _time.GetElapsedTime(since).TotalSeconds);
        _answersAgain();
    }

    /// <summary>A probe: connects and says EHLO (and STARTTLS, when configured) as a sender would, then quits.</summary>
    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        var within = _common.Timeout < MaxProbeTime ? _common.Timeout : MaxProbeTime;
        using var client = new SmtpClient { Timeout = (int)within.TotalMilliseconds };
        var refusal = _trust.Apply(client);
        Socket? socket = null;
        try
        {
            socket = await OpenSocketAsync(within, cancellationToken);
            await ConnectAsync(client, socket, refusal, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return true;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogDebug("SMTP server {Server} does not answer the probe yet: {Reason}", Server, error.Message);
            return false;
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>
    /// Closes connections nobody has used for the idle timeout (servers drop them anyway, less politely), or every
    /// idle one when <paramref name="all"/> (one turned out dead: the server restarted, the rest are dead too).
    /// </summary>
    public async Task CloseIdleAsync(bool all = false)
    {
        long now = _time.GetTimestamp();
        for (int count = _idle.Count; count > 0 && _idle.TryDequeue(out var idle); count--)
        {
            if (!all && idle.Client.IsConnected && _time.GetElapsedTime(idle.LastUsed, now) < _common.IdleTimeout)
                _idle.Enqueue(idle);
            else
                await QuitAsync(idle.Client);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        Task? probing;
        lock (_health)
            probing = _probing;
        if (probing is not null)
            await probing;
        while (_idle.TryDequeue(out var idle))
            await QuitAsync(idle.Client);
    }

    private static async Task QuitAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(quit: true);
        }
        catch (Exception error) when (error is IOException or MailKit.ProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // Closing a broken connection may fail too; the socket is released by Dispose below either way.
        }
        client.Dispose();
    }
}

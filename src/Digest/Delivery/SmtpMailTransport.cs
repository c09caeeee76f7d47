using System.Diagnostics;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Delivery;

/// <summary>
/// A pool of long-lived SMTP connections over one or more servers. Each send takes a free connection of the next
/// server in rotation, waits its turn under the global and the server's rate limit, and hands the message over.
/// A server that cannot be reached is skipped until it answers a probe and the message goes through another one;
/// when none can be reached, the message is refused at once (<see cref="NoServerReachableException"/>) rather than
/// blamed on its recipient, and <see cref="NextServerReturn"/> says when a server answers again.
/// </summary>
public sealed class SmtpMailTransport : IMailTransport, IAsyncDisposable
{
    private readonly IReadOnlyList<SmtpRelay> _relays;
    private readonly SemaphoreSlim _capacity;
    private readonly SendPacer _globalPacer;
    private readonly TimeProvider _time;
    private readonly DigestMetrics _metrics;
    private readonly ITimer _idleSweep;
    private int _rotation;
    private TaskCompletionSource _serverReturn = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SmtpMailTransport(IOptions<DeliveryOptions> options, SenderShare share, TimeProvider time, IHostEnvironment environment,
        DigestMetrics metrics, ILogger<SmtpMailTransport> logger)
    {
        var smtp = options.Value.Smtp;
        _time = time;
        _metrics = metrics;
        _relays = smtp.EffectiveServers.Select((server, i) =>
        {
            var trust = new RelayTrust(smtp.Servers.Count > 0 ? $"Delivery:Smtp:Servers:{i}" : "Delivery:Smtp", server, environment.ContentRootPath);
            return new SmtpRelay(server, smtp, trust, share, time, logger, ServerAnswersAgain);
        }).ToList();
        Concurrency = _relays.Sum(r => r.Server.Connections);
        _capacity = new SemaphoreSlim(Concurrency, Concurrency);
        _globalPacer = new SendPacer(smtp.TotalMessagesPerSecond, time, share);
        _idleSweep = time.CreateTimer(_ => _ = CloseIdleAsync(), null, smtp.IdleTimeout / 2, smtp.IdleTimeout / 2);
    }

    public int Concurrency { get; }

    public Task NextServerReturn => Volatile.Read(ref _serverReturn).Task;

    /// <summary>Completes the current return and arms the next one first, so a waiter that loops misses none.</summary>
    private void ServerAnswersAgain() =>
        Interlocked.Exchange(ref _serverReturn, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken) =>
        SendAsync(message, null, cancellationToken);

    public async Task<string> SendAsync(MimeMessage message, MailboxAddress? returnPath, CancellationToken cancellationToken)
    {
        await _capacity.WaitAsync(cancellationToken);
        try
        {
            return await SendThroughRotationAsync(message, returnPath, cancellationToken);
        }
        finally
        {
            _capacity.Release();
        }
    }

    private async Task<string> SendThroughRotationAsync(MimeMessage message, MailboxAddress? returnPath, CancellationToken cancellationToken)
    {
        // A server that cannot be connected to has seen nothing of the message: try the next one straight away.
        bool staleRetried = false;
        for (int attempt = 1; ; attempt++)
        {
            var relay = await TakeRelayAsync(cancellationToken);
            (SmtpClient Client, bool Reused) connection;
            try
            {
                connection = await relay.ConnectionAsync(cancellationToken);
            }
            catch (Exception error) when (IsConnectionFailure(error, cancellationToken))
            {
                relay.Release(null);
                if (error is RelayRefusedException)
                    relay.Failed($"cannot connect: {error.Message}");
                else
                {
                    relay.CannotBeReached($"cannot connect: {Describe(error)}");
                    ThrowIfNoneReachable();
                }
                if (attempt >= _relays.Count)
                    throw;
                continue;
            }
            try
            {
                return await SendOnAsync(relay, connection.Client, connection.Reused, message, returnPath, cancellationToken);
            }
            catch (Exception error) when (connection.Reused && !staleRetried && IsConnectionFailure(error, cancellationToken))
            {
                // The server had closed the idle connection (restarted, or timed it out): once more on a fresh one.
                staleRetried = true;
                await relay.CloseIdleAsync(all: true);
            }
        }
    }

    private async Task<string> SendOnAsync(SmtpRelay relay, SmtpClient client, bool reused, MimeMessage message, MailboxAddress? returnPath,
        CancellationToken cancellationToken)
    {
        try
        {
            await _globalPacer.WaitTurnAsync(cancellationToken);
            await relay.Pacer.WaitTurnAsync(cancellationToken);
            long started = Stopwatch.GetTimestamp();
            string reply = await HandOverAsync(client, message, returnPath, cancellationToken);
            _metrics.Sent(relay.Server.ToString(), started);
            relay.Accepted();
            _globalPacer.Accepted();
            return reply;
        }
        catch (Exception error) when (Counted(relay, error, cancellationToken))
        {
            throw; // never: counting only
        }
        catch (SmtpCommandException required) when (required.StatusCode == SmtpStatusCode.AuthenticationRequired)
        {
            // 530 at MAIL: the relay wants a login that is not configured; no recipient is to blame.
            throw RelayRefusedException.From(required, relay.Server, relay.Section)!;
        }
        catch (SmtpCommandException refused) when (SendFailure.IsThrottling(refused))
        {
            bool closing = (int)refused.StatusCode == 421 || !client.IsConnected;
            relay.Deferred(closing);
            if (closing)
                _globalPacer.SlowDown();
            throw;
        }
        catch (Exception error) when (IsConnectionFailure(error, cancellationToken))
        {
            // A reused connection failing may just have gone stale; a fresh one failing says the server is in trouble.
            // The message may have reached the server: it is retried as any other network failure.
            if (!reused)
                relay.CannotBeReached($"the connection failed: {Describe(error)}");
            throw;
        }
        finally
        {
            // After a protocol or network error the session state is unknown: the connection is not reused.
            relay.Release(client.IsConnected ? client : DisposeOf(client));
        }
    }

    /// <summary>
    /// Counts a refused handover by its server, as the ledger will take it: for good on a 5xx, else for now (a relay
    /// that wants a login holds the run rather than failing anyone). Always false: the handlers below decide the rest.
    /// </summary>
    private bool Counted(SmtpRelay relay, Exception error, CancellationToken cancellationToken)
    {
        if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
            return false;
        bool permanent = SendFailure.Classify(error).Permanent && error is not SmtpCommandException { StatusCode: SmtpStatusCode.AuthenticationRequired };
        _metrics.Refused(relay.Server.ToString(), permanent);
        return false;
    }

    /// <summary>MAIL FROM is the return path when there is one (From stays as it is), else MailKit's own choice, the From address.</summary>
    private static Task<string> HandOverAsync(SmtpClient client, MimeMessage message, MailboxAddress? returnPath, CancellationToken cancellationToken) =>
        returnPath is null
            ? client.SendAsync(message, cancellationToken)
            : client.SendAsync(message, returnPath, message.To.Mailboxes, cancellationToken);

    private static SmtpClient? DisposeOf(SmtpClient client)
    {
        client.Dispose();
        return null;
    }

    private static bool IsConnectionFailure(Exception error, CancellationToken cancellationToken) =>
        error is not SmtpCommandException and not OperationCanceledException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>Every server waits to answer a probe: the outage is nobody's failure, and no message should wait in it.</summary>
    private void ThrowIfNoneReachable()
    {
        if (_relays.All(r => r.Unreachable))
            throw new NoServerReachableException(
                $"no SMTP server can be reached ({string.Join("; ", _relays.Select(r => $"{r.Server}: {r.OutOfRotationBecause}"))})");
    }

    /// <summary>A failure as a recipient's reply would show it (see <see cref="SendFailure"/>).</summary>
    private static string Describe(Exception error) => $"{error.GetType().Name}: {error.Message}";

    /// <summary>
    /// The next server in rotation with a free connection; when every server is out, the one back soonest, unless
    /// none can be reached.
    /// </summary>
    private async Task<SmtpRelay> TakeRelayAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int start = Interlocked.Increment(ref _rotation);
            for (int i = 0; i < _relays.Count; i++)
            {
                var relay = _relays[(int)((uint)(start + i) % (uint)_relays.Count)];
                if (relay.InRotation && relay.TryTakeSlot())
                    return relay;
            }
            if (_relays.All(r => !r.InRotation))
            {
                ThrowIfNoneReachable();
                var soonest = _relays.MinBy(r => r.OutUntil)!;
                var wait = _time.GetElapsedTime(_time.GetTimestamp(), soonest.OutUntil);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, _time, cancellationToken);
                continue;
            }
            // Servers in rotation are busy while the others' connections are free: wait for one to come back.
            await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken);
        }
    }

    private async Task CloseIdleAsync()
    {
        foreach (var relay in _relays)
            await relay.CloseIdleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _idleSweep.DisposeAsync();
        foreach (var relay in _relays)
            await relay.DisposeAsync();
        _capacity.Dispose();
    }
}

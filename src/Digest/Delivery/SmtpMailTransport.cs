using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Delivery;

/// <summary>
/// Sends over one long-lived SMTP connection, used by one sender at a time: connecting and authenticating per
/// message would cost more than the message. A dropped connection is reopened on the next send.
/// </summary>
public sealed class SmtpMailTransport(IOptions<DeliveryOptions> options, ILogger<SmtpMailTransport> logger)
    : IMailTransport, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;

    public async Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var client = await ConnectedAsync(cancellationToken);
            try
            {
                return await client.SendAsync(message, cancellationToken);
            }
            catch (Exception error) when (error is not SmtpCommandException { ErrorCode: not SmtpErrorCode.UnexpectedStatusCode })
            {
                // After a protocol or network error the session state is unknown: start the next send afresh.
                await DropAsync();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true })
            return _client;
        await DropAsync();
        var smtp = options.Value.Smtp;
        var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        logger.LogInformation("Connected to SMTP server {Host}:{Port}", smtp.Host, smtp.Port);
        return _client = client;
    }

    private async Task DropAsync()
    {
        if (_client is null)
            return;
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(quit: true);
        }
        catch (Exception error) when (error is IOException or MailKit.ProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // Closing a broken connection may fail too; the socket is released by Dispose below either way.
        }
        _client.Dispose();
        _client = null;
    }

    public async ValueTask DisposeAsync()
    {
        await DropAsync();
        _gate.Dispose();
    }
}

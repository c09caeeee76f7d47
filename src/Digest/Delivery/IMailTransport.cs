using MimeKit;

namespace Digest.Delivery;

/// <summary>
/// Hands one message to the mail system. Returns the server's reply on acceptance; a refusal or a network
/// failure is thrown as the transport library reports it, for <see cref="SendFailure"/> to classify.
/// </summary>
public interface IMailTransport
{
    /// <summary>How many messages the transport can usefully carry at once (e.g. its SMTP connections).</summary>
    int Concurrency { get; }

    Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

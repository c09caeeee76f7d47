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

    /// <summary>
    /// Hands the message over with its own envelope sender (SMTP MAIL FROM, where bounces go), leaving its From
    /// header as it is. A transport without an envelope (the pickup folder) sends it as <see cref="SendAsync(MimeMessage, CancellationToken)"/>.
    /// </summary>
    Task<string> SendAsync(MimeMessage message, MailboxAddress? returnPath, CancellationToken cancellationToken) =>
        SendAsync(message, cancellationToken);

    /// <summary>
    /// Completes the next time a server that could not be reached answers again: messages held because none could be
    /// reached (<see cref="NoServerReachableException"/>) can go. Never, for a transport without servers. Taken before
    /// trying, it tells whether a server came back meanwhile.
    /// </summary>
    Task NextServerReturn => Never;

    private static readonly Task Never = new TaskCompletionSource().Task;
}

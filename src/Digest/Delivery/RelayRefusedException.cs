using MailKit.Net.Smtp;
using MailKit.Security;

namespace Digest.Delivery;

/// <summary>
/// The relay refused Digest itself, not a recipient: a wrong password, a certificate not trusted, no TLS where it is
/// required. Retrying cannot help until the operator changes the setting the message names; the run waits with an
/// alert instead of charging its recipients attempts.
/// </summary>
public sealed class RelayRefusedException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>The operator's problem behind a failure on connecting or authenticating, naming the setting; null for anything else.</summary>
    internal static RelayRefusedException? From(Exception error, SmtpServerOptions server, string section) => error switch
    {
        RelayRefusedException refused => refused,
        AuthenticationException => new($"SMTP server {server} refused the user name or password ({error.Message.TrimEnd('.')}): " +
                                       $"check {section}:Username and {section}:Password", error),
        SmtpCommandException { StatusCode: SmtpStatusCode.AuthenticationRequired } => new(
            $"SMTP server {server} requires authentication ({(int)SmtpStatusCode.AuthenticationRequired} {error.Message.TrimEnd('.')}): " +
            $"set {section}:Username and {section}:Password", error),
        SslHandshakeException => new($"SMTP server {server}: the TLS handshake failed ({error.Message.TrimEnd('.')}): check {section}:Security and {section}:Port", error),
        NotSupportedException when server.Security == SecureSocketOptions.StartTls => new(
            $"SMTP server {server} does not offer STARTTLS, which {section}:Security StartTls requires: use a port that offers it, or change {section}:Security", error),
        _ => null,
    };
}

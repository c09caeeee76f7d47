using MimeKit;

namespace Digest.Delivery;

/// <summary>
/// A multipart/alternative body whose transmission ends only once the wait <see cref="SendAfter"/> gives has completed,
/// that wait started when the end is due (so what it waits for is asked for only by a message on a connection). A connection can
/// then send a message while the previous one's outcome is still being committed to the ledger, yet the server
/// only sees the message's end (and can only accept it) after that commit: the commit's wait overlaps the SMTP
/// round trips instead of adding to them.
/// </summary>
/// <remarks>
/// Every write waits, so the message must be written once per send: Digest's SMTP connections do not declare sizes
/// (<see cref="SmtpRelay"/>), for which MailKit would write it once more to measure it, before MAIL FROM.
/// </remarks>
internal sealed class GatedAlternative : MultipartAlternative
{
    public static readonly Func<CancellationToken, Task> NoWait = _ => Task.CompletedTask;

    public Func<CancellationToken, Task> SendAfter { get; set; } = NoWait;

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        await base.WriteToAsync(options, stream, contentOnly, cancellationToken);
        await SendAfter(cancellationToken);
    }
}

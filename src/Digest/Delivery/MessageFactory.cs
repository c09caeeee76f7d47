using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Digest.Delivery;

/// <summary>Everything that differs per message.</summary>
public sealed record Envelope(string MessageId, Subscriber Recipient, string Edition, string EditionTitle, string UnsubscribeUrl);

/// <summary>
/// Builds the MIME message for one digest: multipart/alternative (text first, HTML preferred), the Message-ID the
/// ledger assigned (the same whenever the same run is sent to the same subscriber), and the list headers receivers require of
/// bulk mail (RFC 2919 List-Id, RFC 2369 List-Unsubscribe, RFC 8058 one-click).
/// </summary>
public sealed class MessageFactory(IOptions<DeliveryOptions> options, TimeProvider time)
{
    public MimeMessage Build(Envelope envelope, string subject, RenderedDigest digest)
    {
        var settings = options.Value;
        string domain = settings.SendingDomain;
        var message = new MimeMessage
        {
            Subject = subject,
            Date = time.GetUtcNow(),
            MessageId = envelope.MessageId,
        };
        message.From.Add(new MailboxAddress(settings.FromName, settings.FromAddress));
        message.To.Add(new MailboxAddress(envelope.Recipient.Name, envelope.Recipient.Email));
        message.Headers.Add(HeaderId.ListId, $"{Quote(envelope.EditionTitle)} <{envelope.Edition}.{domain}>");
        message.Headers.Add(HeaderId.ListUnsubscribe,
            $"<{envelope.UnsubscribeUrl}>, <mailto:{settings.FromAddress}?subject=unsubscribe%20{envelope.Edition}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var alternative = new MultipartAlternative
        {
            Part(TextFormat.Plain, digest.Text),
            Part(TextFormat.Html, digest.Html),
        };
        message.Body = alternative;
        return message;
    }

    internal static TextPart Part(TextFormat format, string content)
    {
        var part = new TextPart(format) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText("utf-8", content);
        return part;
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

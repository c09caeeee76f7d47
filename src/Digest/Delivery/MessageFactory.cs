using Digest.Editions;
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
/// ledger assigned (the same whenever the same run is sent to the same subscriber), the list headers receivers
/// require of bulk mail (RFC 2919 List-Id, RFC 2369 List-Unsubscribe, RFC 8058 one-click), an optional
/// Feedback-ID, and last the optional DKIM signature over all of them.
/// </summary>
public sealed class MessageFactory(IOptions<DeliveryOptions> options, IOptionsMonitor<EditionsOptions> editions, DkimMessageSigner signer, TimeProvider time)
{
    public const string FeedbackIdHeader = "Feedback-ID";

    public MimeMessage Build(Envelope envelope, string subject, RenderedDigest digest) =>
        Build(envelope, subject, MessageBody.From(digest));

    public MimeMessage Build(Envelope envelope, string subject, MessageBody body)
    {
        var settings = options.Value;
        string domain = settings.SendingDomain;
        var message = new MimeMessage
        {
            Subject = subject,
            Date = time.GetUtcNow(),
            MessageId = envelope.MessageId,
        };
        message.From.Add(From(envelope.Edition, settings));
        message.To.Add(new MailboxAddress(envelope.Recipient.Name, envelope.Recipient.Email));
        message.Headers.Add(HeaderId.ListId, $"{Quote(envelope.EditionTitle)} <{envelope.Edition}.{domain}>");
        message.Headers.Add(HeaderId.ListUnsubscribe,
            $"<{envelope.UnsubscribeUrl}>, <mailto:{settings.FromAddress}?subject=unsubscribe%20{envelope.Edition}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        if (!string.IsNullOrWhiteSpace(settings.FeedbackId))
            message.Headers.Add(FeedbackIdHeader, settings.FeedbackId.Replace("{edition}", envelope.Edition, StringComparison.OrdinalIgnoreCase));
        message.Headers.Add("Auto-Submitted", "auto-generated");

        message.Body = new GatedAlternative { body.Text.ToMime(TextFormat.Plain), body.Html.ToMime(TextFormat.Html) };
        signer.Sign(message);
        return message;
    }

    /// <summary>
    /// Holds back the end of a message built here until <paramref name="commit"/> has completed: a server cannot
    /// accept a message before its end, so it is accepted only after that commit.
    /// </summary>
    public static void SendAfter(MimeMessage message, Task commit) =>
        ((GatedAlternative)message.Body!).SendAfter = commit;

    /// <summary>The edition's own sender when it names one (Editions:NAME:FromAddress), else the delivery default.</summary>
    private MailboxAddress From(string edition, DeliveryOptions settings)
    {
        var own = editions.CurrentValue.TryGetValue(edition, out var options) ? options : null;
        return new MailboxAddress(
            string.IsNullOrWhiteSpace(own?.FromName) ? settings.FromName : own.FromName,
            string.IsNullOrWhiteSpace(own?.FromAddress) ? settings.FromAddress : own.FromAddress.Trim());
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

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

    public MimeMessage Build(Envelope envelope, string subject, MessageBody body) =>
        Draft(envelope.Edition, envelope.EditionTitle, subject).Fill(envelope, body);

    /// <summary>A message to fill once per copy of an edition's run (see <see cref="MessageDraft"/>).</summary>
    public MessageDraft Draft(string edition, string editionTitle, string subject)
    {
        var settings = options.Value;
        string? feedbackId = string.IsNullOrWhiteSpace(settings.FeedbackId)
            ? null
            : settings.FeedbackId.Replace("{edition}", edition, StringComparison.OrdinalIgnoreCase);
        return new MessageDraft(
            From(edition, settings),
            subject,
            listId: $"{Quote(editionTitle)} <{edition}.{settings.SendingDomain}>",
            mailtoUnsubscribe: $"<mailto:{settings.FromAddress}?subject=unsubscribe%20{edition}>",
            feedbackId,
            signer,
            time);
    }

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

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

    /// <summary>
    /// A message to fill once per copy of an edition's run (see <see cref="MessageDraft"/>). Its List-Id is on the
    /// edition's From domain, and the DKIM key of that domain is chosen here, once, for every copy the draft carries.
    /// </summary>
    public MessageDraft Draft(string edition, string editionTitle, string subject)
    {
        var settings = options.Value;
        string? feedbackId = string.IsNullOrWhiteSpace(settings.FeedbackId)
            ? null
            : settings.FeedbackId.Replace("{edition}", edition, StringComparison.OrdinalIgnoreCase);
        var from = EditionSender.From(editions.CurrentValue.GetValueOrDefault(edition), settings);
        return new MessageDraft(
            from,
            subject,
            listId: $"{Quote(editionTitle)} <{edition}.{from.Domain}>",
            // The unsubscribe mailbox is the one Feedback reads, whichever domain the edition sends from.
            mailtoUnsubscribe: $"<mailto:{settings.FromAddress}?subject=unsubscribe%20{edition}>",
            feedbackId,
            signer.For(from.Domain),
            time);
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

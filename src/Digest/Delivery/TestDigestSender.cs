using System.Security.Cryptography;
using Digest.Editions;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Delivery;

/// <summary>
/// "Send a test to me": the next digest of an edition, built exactly like a real one, sent through the configured
/// transport to an editor's address. It is rendered for a stand-in reader, never a real subscriber, so clicking its
/// unsubscribe link unsubscribes nobody. It bypasses the ledger: a test is not a delivery.
/// </summary>
public sealed class TestDigestSender(DigestPreview preview, MessageFactory messages, IMailTransport transport,
    IOptions<DeliveryOptions> delivery, IOptionsMonitor<EditionsOptions> editions)
{
    /// <summary>No subscriber has this id: the preview renders its stand-in reader.</summary>
    private const long StandInReader = 0;

    public async Task<string> SendAsync(string edition, string toAddress, string toName, CancellationToken cancellationToken = default)
    {
        var (copy, rendered) = await preview.RenderAsync(edition, StandInReader, cancellationToken);
        var view = copy.Digest;
        var recipient = new Subscriber(StandInReader, toAddress, toName, SubscriberStatus.Confirmed);
        string messageId = $"test.{view.EditionName}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}@{EditionSender.Domain(editions.CurrentValue.GetValueOrDefault(view.EditionName), delivery.Value)}";
        var envelope = new Envelope(messageId, recipient, view.EditionName, view.EditionTitle, copy.Recipient.UnsubscribeUrl);
        using var message = messages.Build(envelope, $"[Test] {view.Subject}", rendered);
        return await transport.SendAsync(message, cancellationToken);
    }
}

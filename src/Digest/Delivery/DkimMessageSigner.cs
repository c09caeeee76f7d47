using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace Digest.Delivery;

/// <summary>
/// Signs every digest with the configured DKIM key (rsa-sha256, relaxed/relaxed), or leaves it unsigned when no
/// key is configured. The key is read once, when the service starts.
/// </summary>
public sealed class DkimMessageSigner
{
    /// <summary>
    /// The headers every signature covers. Both unsubscribe headers are among them: receivers honour one-click
    /// unsubscribe only when the signature vouches for it (RFC 8058 §4).
    /// </summary>
    public static readonly IReadOnlyList<string> SignedHeaders =
        ["From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"];

    private readonly DkimSigner? _signer;

    public DkimMessageSigner(IOptions<DeliveryOptions> options, IHostEnvironment environment)
    {
        var dkim = options.Value.Dkim;
        if (!dkim.Enabled)
            return;
        _signer = new DkimSigner(KeyPath(dkim, environment.ContentRootPath), dkim.Domain!, dkim.Selector!, DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
    }

    public bool Enabled => _signer is not null;

    internal static string KeyPath(DkimOptions dkim, string contentRoot) => Path.GetFullPath(dkim.KeyFile!, contentRoot);

    /// <summary>Adds the DKIM-Signature header; call last, once every signed header is in place.</summary>
    public void Sign(MimeMessage message)
    {
        if (_signer is null)
            return;
        // Feedback-ID is optional; when present it is signed too, or receivers ignore it.
        IList<string> headers = message.Headers.Contains(MessageFactory.FeedbackIdHeader)
            ? [.. SignedHeaders, MessageFactory.FeedbackIdHeader]
            : [.. SignedHeaders];
        _signer.Sign(message, headers);
    }
}

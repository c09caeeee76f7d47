using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace Digest.Delivery;

/// <summary>
/// The DKIM keys of every sending domain (rsa-sha256, relaxed/relaxed), read once, when the service starts. A run
/// asks once for the signer of its edition's From domain (<see cref="For"/>), then signs every copy with it.
/// </summary>
public sealed class DkimMessageSigner
{
    /// <summary>
    /// The headers every signature covers. Both unsubscribe headers are among them: receivers honour one-click
    /// unsubscribe only when the signature vouches for it (RFC 8058 §4).
    /// </summary>
    public static readonly IReadOnlyList<string> SignedHeaders =
        ["From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"];

    private readonly IReadOnlyList<DkimDomainSigner> _signers;

    public DkimMessageSigner(IOptions<DeliveryOptions> options, IHostEnvironment environment)
    {
        _signers = options.Value.Dkim.AllKeys
            .Select(setting => new DkimDomainSigner(setting.Key.Domain!.Trim(), new DkimSigner(
                KeyPath(setting.Key, environment.ContentRootPath), setting.Key.Domain!.Trim(), setting.Key.Selector!.Trim(), DkimSignatureAlgorithm.RsaSha256)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            }))
            .ToList();
    }

    public bool Enabled => _signers.Count > 0;

    internal static string KeyPath(DkimKeyOptions key, string contentRoot) => Path.GetFullPath(key.KeyFile!.Trim(), contentRoot);

    /// <summary>
    /// The signer for mail from <paramref name="fromDomain"/>: its own key or its closest parent's; null while signing
    /// is off. Start-up checks that a key covers every edition's From domain, so none missing is a bug.
    /// </summary>
    public DkimDomainSigner? For(string fromDomain) =>
        !Enabled ? null
        : DkimOptions.KeyFor(_signers, signer => signer.Domain, fromDomain)
          ?? throw new InvalidOperationException($"No key in Delivery:Dkim covers the From domain '{fromDomain}'");
}

/// <summary>One sending domain's key, chosen once per run by <see cref="DkimMessageSigner.For"/>.</summary>
public sealed class DkimDomainSigner
{
    private readonly DkimSigner _signer;

    internal DkimDomainSigner(string domain, DkimSigner signer)
    {
        Domain = domain;
        _signer = signer;
    }

    /// <summary>The signing domain (d=).</summary>
    public string Domain { get; }

    /// <summary>Adds the DKIM-Signature header; call last, once every signed header is in place.</summary>
    public void Sign(MimeMessage message)
    {
        // Feedback-ID is optional; when present it is signed too, or receivers ignore it.
        IList<string> headers = message.Headers.Contains(MessageFactory.FeedbackIdHeader)
            ? [.. DkimMessageSigner.SignedHeaders, MessageFactory.FeedbackIdHeader]
            : [.. DkimMessageSigner.SignedHeaders];
        _signer.Sign(message, headers);
    }
}

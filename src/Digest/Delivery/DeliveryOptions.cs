using MailKit.Security;

namespace Digest.Delivery;

public enum MailTransportKind { Pickup, Smtp }

/// <summary>The "Delivery" section: who digests come from and how they leave.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>Pickup (default: one .eml per message in <see cref="PickupDirectory"/>) or Smtp.</summary>
    public MailTransportKind Transport { get; set; } = MailTransportKind.Pickup;

    /// <summary>Where the pickup transport writes messages; relative to the content root.</summary>
    public string PickupDirectory { get; set; } = "data/outbox";

    /// <summary>
    /// The From address of editions that name none of their own, and of confirmation mails. An edition's Message-IDs
    /// and List-Id are on its own From domain (see <see cref="EditionSender"/>).
    /// </summary>
    public string FromAddress { get; set; } = "digest@example.com";

    public string FromName { get; set; } = "Digest";

    /// <summary>How many subscribers one batch job of a run covers.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long a claimed ledger entry may stay unconfirmed before another sender takes it to be from a crashed
    /// process and sends it again (with the same Message-ID). Must be longer than an SMTP send can take.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The pause before the first retry of a 4xx or network failure; each further retry waits twice as long.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest pause between two retries.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Transient failures are retried until this long after the run started, then they are final (soft bounce).</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromDays(3);

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// Optional Feedback-ID header for receivers' feedback loops (Gmail), e.g. <c>{edition}:digest:example</c>;
    /// <c>{edition}</c> is replaced by the edition's name. Empty: no header.
    /// </summary>
    public string? FeedbackId { get; set; }

    /// <summary>Optional DKIM signing of every digest, with the key of its From domain; off while no key is configured.</summary>
    public DkimOptions Dkim { get; set; } = new();

    public string SendingDomain => FromAddress[(FromAddress.IndexOf('@') + 1)..];
}

/// <summary>
/// "Delivery:Smtp": the relays digests are handed to when the transport is Smtp. Either one server given by
/// <see cref="SmtpServerOptions.Host"/> and friends directly in this section, or several under <see cref="Servers"/>,
/// which then take the load in turn.
/// </summary>
public sealed class SmtpOptions : SmtpServerOptions
{
    /// <summary>Several relays; when empty, this section itself describes the one relay.</summary>
    public List<SmtpServerOptions> Servers { get; set; } = [];

    /// <summary>Messages per second over all servers together; 0 for no limit.</summary>
    public double TotalMessagesPerSecond { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection unused this long is closed (servers drop idle sessions anyway, usually after 5 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a server that pushed back (421 and hang-up) or refused Digest stays out of rotation; doubles while it
    /// keeps doing so. A server that cannot be reached is out until it answers a probe instead (<see cref="ProbeInterval"/>).
    /// </summary>
    public TimeSpan ServerBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a server that cannot be reached is probed (a connect and EHLO, one at a time): it is back in rotation,
    /// and the copies held for it go, as soon as it answers.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The configured relays, in order.</summary>
    public IReadOnlyList<SmtpServerOptions> EffectiveServers => Servers.Count > 0 ? Servers : [this];
}

/// <summary>One SMTP relay.</summary>
public class SmtpServerOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 25;

    /// <summary>None, Auto, StartTls (required, never silently plain text) or SslOnConnect.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;

    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>Long-lived connections kept to this server; each carries one message at a time.</summary>
    public int Connections { get; set; } = 4;

    /// <summary>Messages per second to this server; 0 for no limit.</summary>
    public double MaxMessagesPerSecond { get; set; }

    /// <summary>
    /// A PEM file with the certificate of the CA that issued the relay's certificate (a company CA): trusted for
    /// this server only, beside the system's store. Relative to the content root.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>
    /// The SHA-256 fingerprint of the relay's own certificate (hex, colons optional, e.g. from
    /// <c>openssl x509 -noout -fingerprint -sha256</c>): that certificate is accepted whoever issued it, any other refused.
    /// </summary>
    public string? CertificateFingerprint { get; set; }

    /// <summary>
    /// Check whether the relay's certificate was revoked (CRL or OCSP). On by default: public CAs publish both. Turn it
    /// off for a company CA that publishes no CRL, or the connection fails with "revocation status unknown".
    /// </summary>
    public bool CheckCertificateRevocation { get; set; } = true;

    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// "Delivery:Dkim": the keys digests are signed with (rsa-sha256, relaxed/relaxed), one per sending domain under
/// <see cref="Keys"/>; the single key of <see cref="KeyFile"/>, <see cref="Domain"/> and <see cref="Selector"/> is
/// still read as one more. Each edition is signed with the key of its From domain (see <see cref="KeyFor"/>).
/// </summary>
public sealed class DkimOptions
{
    /// <summary>One key per sending domain.</summary>
    public List<DkimKeyOptions> Keys { get; set; } = [];

    /// <summary>PEM file of the single key of older settings; relative to the content root.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The single key's signing domain (d=).</summary>
    public string? Domain { get; set; }

    /// <summary>The single key's selector (s=).</summary>
    public string? Selector { get; set; }

    /// <summary>Every configured key with the setting it comes from, <see cref="Keys"/> first.</summary>
    public IReadOnlyList<(string Setting, DkimKeyOptions Key)> AllKeys
    {
        get
        {
            var all = Keys.Select((key, i) => ($"Delivery:Dkim:Keys:{i}", key)).ToList();
            if (!string.IsNullOrWhiteSpace(KeyFile))
                all.Add(("Delivery:Dkim", new DkimKeyOptions { KeyFile = KeyFile, Domain = Domain, Selector = Selector }));
            return all;
        }
    }

    public bool Enabled => Keys.Count > 0 || !string.IsNullOrWhiteSpace(KeyFile);

    /// <summary>
    /// The key mail from <paramref name="fromDomain"/> is signed with: the one whose domain is the From domain, else
    /// the one of its closest parent domain (DMARC's relaxed alignment); null when no key covers it.
    /// </summary>
    public static T? KeyFor<T>(IEnumerable<T> keys, Func<T, string?> domain, string fromDomain) where T : class =>
        keys.Where(key => domain(key) is { } signing && Aligns(signing, fromDomain))
            .MaxBy(key => domain(key)!.Length);

    /// <summary>Whether a signature by <paramref name="signingDomain"/> aligns with mail from <paramref name="fromDomain"/>.</summary>
    public static bool Aligns(string signingDomain, string fromDomain)
    {
        string signing = signingDomain.Trim().TrimEnd('.');
        string from = fromDomain.Trim().TrimEnd('.');
        return signing.Length > 0 && (from.Equals(signing, StringComparison.OrdinalIgnoreCase)
            || from.EndsWith("." + signing, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>One DKIM key. Publish its public key as a TXT record at <c>{Selector}._domainkey.{Domain}</c>.</summary>
public sealed class DkimKeyOptions
{
    /// <summary>The signing domain (d=): mail from this domain or any domain under it is signed with this key.</summary>
    public string? Domain { get; set; }

    /// <summary>The selector (s=) naming the DNS record of the public key.</summary>
    public string? Selector { get; set; }

    /// <summary>PEM file holding the RSA private key (PKCS#1 or PKCS#8); relative to the content root.</summary>
    public string? KeyFile { get; set; }
}

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

    /// <summary>The From address. Its domain is the sending domain of every Message-ID and List-Id.</summary>
    public string FromAddress { get; set; } = "digest@example.com";

    public string FromName { get; set; } = "Digest";

    /// <summary>How many subscribers a run reads from the ledger at a time.</summary>
    public int BatchSize { get; set; } = 500;

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// Optional Feedback-ID header for receivers' feedback loops (Gmail), e.g. <c>{edition}:digest:example</c>;
    /// <c>{edition}</c> is replaced by the edition's name. Empty: no header.
    /// </summary>
    public string? FeedbackId { get; set; }

    /// <summary>Optional DKIM signing of every digest; off while <see cref="DkimOptions.KeyFile"/> is empty.</summary>
    public DkimOptions Dkim { get; set; } = new();

    public string SendingDomain => FromAddress[(FromAddress.IndexOf('@') + 1)..];
}

/// <summary>"Delivery:Smtp": the relay digests are handed to when the transport is Smtp.</summary>
public sealed class SmtpOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 25;

    /// <summary>None, Auto, StartTls (required, never silently plain text) or SslOnConnect.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;

    public string? Username { get; set; }
    public string? Password { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// "Delivery:Dkim": the key digests are signed with (rsa-sha256, relaxed/relaxed). Publish the public key as a TXT
/// record at <c>{Selector}._domainkey.{Domain}</c>.
/// </summary>
public sealed class DkimOptions
{
    /// <summary>PEM file holding the RSA private key (PKCS#1 or PKCS#8); relative to the content root.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The signing domain (d=): the From address's domain or a parent of it, so DMARC aligns.</summary>
    public string? Domain { get; set; }

    /// <summary>The selector (s=) naming the DNS record of the public key.</summary>
    public string? Selector { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(KeyFile);
}

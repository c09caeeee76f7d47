using MailKit.Security;

namespace Digest.Feedback;

/// <summary>The "Feedback" section: what comes back after the send (bounces, complaints, emailed unsubscribes).</summary>
public sealed class FeedbackOptions
{
    public const string SectionName = "Feedback";

    public ReturnPathOptions ReturnPath { get; set; } = new();

    /// <summary>The mailbox bounces, complaints and emailed unsubscribes arrive in; off while its Host is empty.</summary>
    public ImapOptions Imap { get; set; } = new();

    /// <summary>This many transient bounces (4.x.x, "mailbox full") within <see cref="SoftBounceWindow"/> suppress the address.</summary>
    public int SoftBounceLimit { get; set; } = 3;

    public TimeSpan SoftBounceWindow { get; set; } = TimeSpan.FromDays(30);

    public WebhookOptions Webhooks { get; set; } = new();
}

/// <summary>
/// "Feedback:ReturnPath": the envelope sender of every digest, <c>{LocalPart}+{run}-{subscriber}-{signature}@{Domain}</c>
/// (VERP), so a bounce names the copy it is about whatever the bounce says. From and DKIM are not affected.
/// </summary>
public sealed class ReturnPathOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>At most 10 characters, so the whole local part stays within SMTP's 64 octets.</summary>
    public string LocalPart { get; set; } = "bounces";

    /// <summary>The domain bounces go to (its MX delivers to the feedback mailbox); empty: the Delivery:FromAddress domain.</summary>
    public string? Domain { get; set; }

    public string DomainOr(string fallbackDomain) => string.IsNullOrWhiteSpace(Domain) ? fallbackDomain : Domain.Trim();
}

/// <summary>"Feedback:Imap": the feedback mailbox, read and sorted by the <c>feedback:check</c> job.</summary>
public sealed class ImapOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 993;
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.SslOnConnect;
    public string? User { get; set; }
    public string? Password { get; set; }

    /// <summary>The folder new feedback arrives in.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>Where handled messages are moved (never deleted).</summary>
    public string ProcessedFolder { get; set; } = "Processed";

    /// <summary>Where messages left for a person are moved.</summary>
    public string UnrecognisedFolder { get; set; } = "Unrecognised";

    /// <summary>How often the job looks at the mailbox.</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    public override string ToString() => $"{User}@{Host}:{Port}/{Folder}";
}

/// <summary>"Feedback:Webhooks": relays that report bounces and complaints by calling Digest.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Hosts SNS signing certificates may be fetched from (a regular expression over the whole host of an https
    /// URL). Amazon's own by default; change it only for a test set-up.
    /// </summary>
    public string SnsCertificateHost { get; set; } = @"^sns\.[a-z0-9-]+\.amazonaws\.com$";

    /// <summary>Also allow http:// certificate URLs (for a loopback test server only).</summary>
    public bool SnsAllowHttp { get; set; }

    /// <summary>Mailgun's HTTP webhook signing key; empty: the Mailgun endpoint refuses every call.</summary>
    public string? MailgunSigningKey { get; set; }
}

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

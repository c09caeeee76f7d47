using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// Python's aiosmtpd (Debian <c>python3-aiosmtpd</c>) on a free loopback port, answering RCPT per recipient from
/// <c>Fixtures/smtp/per-recipient-rules.txt</c> (a 550 5.1.1, a 451 twice then accepted, a 550 5.7.1), and dumping
/// what it accepts like smtp-sink does. A missing interpreter or module fails the test.
/// </summary>
public static class PerRecipientSmtpServer
{
    // Debian's own interpreter: the one python3-aiosmtpd is installed for.
    private const string Python = "/usr/bin/python3";

    public static Task<SmtpSink> StartAsync()
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "smtp");
        int port = FreePort.Next();
        return SmtpSink.StartProcessAsync("aiosmtpd", port, dumpDirectory =>
            [Python, Path.Combine(fixtures, "per_recipient_server.py"), port.ToString(), dumpDirectory, Path.Combine(fixtures, "per-recipient-rules.txt")]);
    }
}

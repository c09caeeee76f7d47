using System.Diagnostics;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// Python's aiosmtpd (Debian <c>python3-aiosmtpd</c>) on a free loopback port, answering RCPT per recipient from
/// <c>Fixtures/smtp/per-recipient-rules.txt</c> (a 550 5.1.1, a 451 twice then accepted, a 550 5.7.1).
/// A missing interpreter or module fails the test.
/// </summary>
public sealed class PerRecipientSmtpServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly Process _process;
    private readonly TempFolder _folder;

    private PerRecipientSmtpServer(Process process, TempFolder folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string DumpDirectory => _folder.Combine("dump");

    public static async Task<PerRecipientSmtpServer> StartAsync()
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "smtp");
        var folder = new TempFolder("aiosmtpd");
        Directory.CreateDirectory(folder.Combine("dump"));
        int port = FreePort.Next();
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in new[] { Path.Combine(fixtures, "per_recipient_server.py"), port.ToString(), folder.Combine("dump"),
                     Path.Combine(fixtures, "per-recipient-rules.txt") })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start");
        var server = new PerRecipientSmtpServer(process, folder, port);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(15),
            () => process.HasExited ? $"aiosmtpd exited (install the Debian package python3-aiosmtpd): {process.StandardError.ReadToEnd()}" : "");
        return server;
    }

    public IReadOnlyList<ReceivedMessage> Messages() => SmtpSink.ReadDump(DumpDirectory);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _folder.Dispose();
    }
}

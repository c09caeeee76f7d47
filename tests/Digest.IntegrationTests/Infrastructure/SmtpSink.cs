using System.Diagnostics;
using MimeKit;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>A message as the SMTP server received it: the envelope recipients and the parsed message.</summary>
public sealed record ReceivedMessage(string File, IReadOnlyList<string> Recipients, MimeMessage Message);

/// <summary>
/// Postfix's <c>smtp-sink</c> on a free loopback port, dumping every accepted message to a file. Extra arguments
/// inject faults (e.g. <c>-r RCPT</c> hard-rejects recipients, <c>-Q</c> disconnects). Installed by the test command
/// (Debian package <c>postfix</c>); a missing binary fails the test.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/smtp-sink";

    private readonly Process _process;
    private readonly TempFolder _folder;

    private SmtpSink(Process process, TempFolder folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string DumpDirectory => _folder.Combine("dump");

    public static Task<SmtpSink> StartAsync(params string[] faultArguments) => StartOnAsync(FreePort.Next(), faultArguments);

    /// <summary>A sink that keeps nothing: for measuring throughput, where writing every message would be the bottleneck.</summary>
    public static Task<SmtpSink> StartDiscardingAsync() => StartOnAsync(FreePort.Next(), dump: false, []);

    /// <summary>Starts on a given port: a server that comes back where it was, after being stopped.</summary>
    public static Task<SmtpSink> StartOnAsync(int port, params string[] faultArguments) => StartOnAsync(port, dump: true, faultArguments);

    private static Task<SmtpSink> StartOnAsync(int port, bool dump, string[] faultArguments)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: install the Debian package 'postfix' (the README's test command does).");
        return StartProcessAsync("smtp-sink", port, dumpDirectory =>
        {
            string[] dumping = dump ? ["-d", Path.Combine(dumpDirectory, "%Y%m%d%H%M%S.")] : [];
            return [Binary, "-u", "nobody", .. dumping, .. faultArguments, $"127.0.0.1:{port}", "1024"];
        });
    }

    /// <summary>
    /// Starts an SMTP server process that writes each accepted message into the dump folder it is given, and waits
    /// until it listens on the port. Shared by smtp-sink and the tests' own servers.
    /// </summary>
    internal static async Task<SmtpSink> StartProcessAsync(string name, int port, Func<string, string[]> commandLine)
    {
        var folder = new TempFolder(name);
        string dumpDirectory = folder.Combine("dump");
        Directory.CreateDirectory(dumpDirectory);
        // smtp-sink drops to 'nobody' after opening its socket; that user must be able to write the dump files.
        File.SetUnixFileMode(dumpDirectory, (UnixFileMode)0b111_111_111);
        string[] command = commandLine(dumpDirectory);
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in command[1..])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        var server = new SmtpSink(process, folder, port);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(15),
            () => process.HasExited ? $"{name} exited: {process.StandardError.ReadToEnd()}" : "");
        return server;
    }

    /// <summary>Every message received so far.</summary>
    public IReadOnlyList<ReceivedMessage> Messages() => ReadDump(DumpDirectory);

    /// <summary>Reads a folder of dumped messages, each headed by one X-Rcpt-Args line per envelope recipient.</summary>
    public static IReadOnlyList<ReceivedMessage> ReadDump(string directory)
    {
        var received = new List<ReceivedMessage>();
        foreach (string file in Directory.EnumerateFiles(directory).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var message = MimeMessage.Load(file);
            var recipients = message.Headers.Where(h => h.Field == "X-Rcpt-Args").Select(h => h.Value.Trim().Trim('<', '>')).ToList();
            received.Add(new ReceivedMessage(file, recipients, message));
        }
        return received;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; returns what arrived either way.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Directory.EnumerateFiles(DumpDirectory).Count() < count && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        await Task.Delay(100); // let the last file be written out completely
        return Messages();
    }

    /// <summary>Kills the server as a crash would (mid-conversation), keeping what it received for reading.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

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

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
    private readonly HashSet<string> _diedWriting = new(StringComparer.Ordinal);

    private SmtpSink(Process process, TempFolder folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The sink's process, for what it costs (benchmarks read its CPU time).</summary>
    public int ProcessId => _process.Id;

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

    /// <summary>
    /// Every message received so far, complete. smtp-sink creates a message's file at MAIL FROM and closes it at the
    /// final dot, before it answers 250; a file it still holds open is a message on its way and is left out, as is
    /// what a killed server was writing when it died.
    /// </summary>
    public IReadOnlyList<ReceivedMessage> Messages() => ReadDump(CompleteFiles());

    /// <summary>Messages the server is receiving right now: started (MAIL FROM) but not ended (final dot).</summary>
    public int InProgress() => OpenDumpFiles().Count;

    /// <summary>How many complete messages arrived, without reading them.</summary>
    public int CompleteCount() => CompleteFiles().Count;

    /// <summary>Every file in the dump folder, complete or not (smtp-sink deletes the file of an aborted transaction).</summary>
    public int DumpFiles() => Directory.EnumerateFiles(DumpDirectory).Count();

    /// <summary>Reads a folder of complete dumped messages, each headed by one X-Rcpt-Args line per envelope recipient.</summary>
    public static IReadOnlyList<ReceivedMessage> ReadDump(string directory) => ReadDump(Directory.EnumerateFiles(directory).ToList());

    private static List<ReceivedMessage> ReadDump(List<string> files)
    {
        var received = new List<ReceivedMessage>();
        // A ".tmp" file is one the tests' own servers are still writing: they rename it once the message is whole.
        foreach (string file in files.Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var message = MimeMessage.Load(file);
            var recipients = message.Headers.Where(h => h.Field == "X-Rcpt-Args").Select(h => h.Value.Trim().Trim('<', '>')).ToList();
            received.Add(new ReceivedMessage(file, recipients, message));
        }
        return received;
    }

    /// <summary>
    /// The dump files whose message ended. Listed before the server's open files are read: a file that closes in
    /// between is complete by then, and a file created in between is not in the list.
    /// </summary>
    private List<string> CompleteFiles()
    {
        var listed = Directory.EnumerateFiles(DumpDirectory).ToList();
        var open = OpenDumpFiles();
        return listed.Where(file => !open.Contains(file) && !_diedWriting.Contains(file) && !file.EndsWith(".tmp", StringComparison.Ordinal)
            && File.Exists(file)).ToList(); // an aborted message's file is deleted before it is closed
    }

    /// <summary>The dump files the server process holds open, read from /proc/PID/fd.</summary>
    private HashSet<string> OpenDumpFiles()
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        if (_process.HasExited)
            return open;
        try
        {
            foreach (string descriptor in Directory.EnumerateFileSystemEntries($"/proc/{_process.Id}/fd"))
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith(DumpDirectory + "/", StringComparison.Ordinal))
                    open.Add(target);
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            // The process ended while its descriptors were read: it holds nothing open any more.
        }
        return open;
    }

    /// <summary>Waits until at least <paramref name="count"/> complete messages arrived; returns what arrived either way.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (CompleteCount() < count && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return Messages();
    }

    /// <summary>Waits until a condition on the server holds, or fails the test saying what was awaited.</summary>
    public async Task WaitUntilAsync(Func<SmtpSink, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"smtp-sink: {what} did not happen within {timeout}.");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Kills the server as a crash would (mid-conversation), keeping what it received for reading. It is stopped
    /// first, so that the messages it was writing at that moment are known, and never read as complete.
    /// </summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        using (var stop = Process.Start("kill", ["-STOP", _process.Id.ToString()]))
            await stop.WaitForExitAsync();
        _diedWriting.UnionWith(OpenDumpFiles());
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

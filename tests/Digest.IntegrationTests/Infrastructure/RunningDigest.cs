using System.Diagnostics;
using System.Text;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// The real Digest.App service as its own process, in a working folder of the test's (where its appsettings.json
/// is), serving on a free loopback port, with its console log collected for assertions and failure messages.
/// </summary>
public sealed class RunningDigest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private RunningDigest(Process process, string url)
    {
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, line) => { lock (_log) _log.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (_log) _log.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Url { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>
    /// The errors the service logged, each with the first line of its message, and every job it failed to process
    /// (Hangfire logs a failed attempt that has retries left as a warning only).
    /// </summary>
    public IReadOnlyList<string> LoggedErrors
    {
        get
        {
            var lines = Log.Split('\n');
            return lines.Select((line, i) => (line, next: i + 1 < lines.Length ? lines[i + 1].Trim() : ""))
                .Where(l => l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal)
                    || l.line.Contains("Failed to process the job", StringComparison.Ordinal))
                .Select(l => $"{l.line.Trim()} {l.next}")
                .ToList();
        }
    }

    public void AssertNoErrorsLogged() =>
        Assert.True(LoggedErrors.Count == 0, $"the service at {Url} logged errors:{Environment.NewLine}{string.Join(Environment.NewLine, LoggedErrors)}");

    public static RunningDigest Start(string workingDirectory, IDictionary<string, string>? settings = null)
    {
        var start = DigestProcess.StartInfo(workingDirectory, settings ?? new Dictionary<string, string>());
        return new RunningDigest(Process.Start(start)!, start.Environment["Urls"]!);
    }

    /// <summary>
    /// The service as root without the capabilities that let root read any file (CAP_DAC_OVERRIDE,
    /// CAP_DAC_READ_SEARCH), dropped from the bounding set by util-linux's <c>setpriv</c>: file permissions then
    /// deny it what they would deny any other user. The tests run as root, for whom <c>chmod 000</c> denies nothing.
    /// </summary>
    public static RunningDigest StartWithoutReadOverride(string workingDirectory, IDictionary<string, string>? settings = null)
    {
        var service = DigestProcess.StartInfo(workingDirectory, settings ?? new Dictionary<string, string>());
        var start = new ProcessStartInfo("setpriv")
        {
            WorkingDirectory = service.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in (string[])["--bounding-set=-dac_override,-dac_read_search", "--", service.FileName, .. service.ArgumentList])
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in service.Environment)
            start.Environment[key] = value;
        return new RunningDigest(Process.Start(start)!, start.Environment["Urls"]!);
    }

    public async Task WaitForLogAsync(string text, TimeSpan? timeout = null)
    {
        var giveUp = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (HasExited || DateTime.UtcNow > giveUp)
                Assert.Fail($"The service did not log \"{text}\". Its log:{Environment.NewLine}{Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no shutdown, no flushing, exactly like <c>kill -9</c>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd and orchestrators stop a service; waits for the process to exit and returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Assert.Equal(0, SendSignal(_process.Id, SigTerm));
        using var giveUp = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(giveUp.Token);
        return _process.ExitCode;
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

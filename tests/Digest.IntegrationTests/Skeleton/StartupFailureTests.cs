using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Skeleton;

/// <summary>
/// What operators break on their first day (a typo in appsettings.json, a taken port, a folder they cannot write,
/// a role that needs PostgreSQL, a second copy started by hand) stops Digest with one paragraph that names the file
/// and line, port, folder or setting and the fix, an exit code of its own, and no stack trace.
/// </summary>
public sealed class StartupFailureTests
{
    private const string BrokenJson = """
        {
          "Storage": {
            "DataDirectory": "data"
          }
          "Editions": { "daily": { "Cron": "0 7 * * *" } }
        }
        """;

    [Fact]
    public async Task Service_WithBrokenJsonInAppSettings_NamesFileAndLine()
    {
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(folder.Combine("appsettings.json"), BrokenJson);

        var result = await DigestProcess.RunAsync(folder.Path, new Dictionary<string, string>());

        Assert.Equal(4, result.ExitCode);
        Assert.Contains($"Digest cannot start:{Environment.NewLine}  {folder.Combine("appsettings.json")}: line 5 is not valid JSON", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Service_WithBadDkimSettings_SaysEachProblemOnce()
    {
        using var folder = new TempFolder();
        var settings = new Dictionary<string, string>
        {
            ["Storage:DataDirectory"] = folder.Combine("data"),
            ["Editions:daily:Cron"] = "0 7 * * *",
            ["Delivery:FromAddress"] = "digest@news.example.org",
            ["Delivery:Dkim:KeyFile"] = "keys/dkim.pem",
            ["Delivery:Dkim:Domain"] = "elsewhere.example.com",
            ["Delivery:Dkim:Selector"] = "digest2026",
        };

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(2, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines, line => line.StartsWith("Digest cannot start:", StringComparison.Ordinal));
        Assert.Single(lines, line => line.StartsWith("Delivery:Dkim:KeyFile: ", StringComparison.Ordinal));
        Assert.Equal(lines.Distinct().Count(), lines.Length); // no problem said twice
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Command_WithBrokenJsonInAppSettings_NamesFileAndLine_AndVerboseAddsTheStackTrace()
    {
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(folder.Combine("appsettings.json"), BrokenJson);

        var plain = await DigestProcess.RunAsync(folder.Path, new Dictionary<string, string>(), "runs", "list");
        var verbose = await DigestProcess.RunAsync(folder.Path, new Dictionary<string, string>(), "runs", "list", "--verbose");

        Assert.Equal(4, plain.ExitCode);
        Assert.Contains("Digest cannot run that command:", plain.Error);
        Assert.Contains("appsettings.json: line 5 is not valid JSON", plain.Error);
        AssertNoStackTrace(plain);
        Assert.Equal(4, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Error);
    }

    [Fact]
    public async Task Service_OnAPortInUse_NamesThePortAndHowToChooseAnother()
    {
        using var folder = new TempFolder();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var settings = Defaults(folder);
        settings["Urls"] = $"http://127.0.0.1:{port}";

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"Port {port} is already in use", result.Error);
        Assert.Contains("--urls", result.Error);
        Assert.Contains("Urls setting", result.Error);
        AssertNoStackTrace(result);
        Assert.DoesNotContain("crit:", result.Output); // no background service mistaken for a crash on the way down
    }

    [Fact]
    public async Task Service_WithItsMetricsPortInUse_NamesTheMetricsSetting()
    {
        using var folder = new TempFolder();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var settings = Defaults(folder);
        settings["Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        settings["Metrics:Port"] = port.ToString();

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"Metrics:Port: {port} is already in use (127.0.0.1:{port})", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Service_OnAReadOnlyDataFolder_NamesThePathAndThePermissions()
    {
        using var folder = new TempFolder();
        string data = folder.Combine("data");
        Directory.CreateDirectory(data);
        File.SetUnixFileMode(folder.Path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(data, (UnixFileMode)0b101_101_101);

        // Root writes anywhere: the service runs as an unprivileged user, as it would in production.
        var start = DigestProcess.StartInfo(folder.Path, Defaults(folder));
        var result = await ProcessRunner.RunAsync(AsUnprivilegedUser(start, folder.Path), TimeSpan.FromSeconds(60));

        Assert.Equal(6, result.ExitCode);
        Assert.Contains($"the data folder {data} cannot be written", result.Error);
        Assert.Contains("write permission", result.Error);
        Assert.Contains("Storage:DataDirectory", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Service_WithWebRoleOnSqlite_IsASettingsError()
    {
        using var folder = new TempFolder();
        var settings = Defaults(folder);
        settings["Process:Role"] = "Web";

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Digest cannot start:{Environment.NewLine}  Process:Role: 'Web' needs Storage:Provider Postgres", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task SecondService_OnTheSameDataFolder_IsRefusedNamingTheProcessThatHoldsIt()
    {
        using var folder = new TempFolder();
        await using var first = RunningDigest.Start(folder.Path, Defaults(folder));
        await first.WaitForLogAsync("Edition daily: ");

        var second = await DigestProcess.RunAsync(folder.Path, Defaults(folder));

        Assert.Equal(7, second.ExitCode);
        Assert.Contains($"another Digest (process {first.ProcessId} on {Environment.MachineName}", second.Error);
        Assert.Contains($"is already running on the data folder {folder.Combine("data")}", second.Error);
        AssertNoStackTrace(second);
        Assert.False(first.HasExited, "the first service keeps running");
    }

    [Fact]
    public async Task Command_BesideARunningService_IsNotRefused()
    {
        using var folder = new TempFolder();
        await using var service = RunningDigest.Start(folder.Path, Defaults(folder));
        await service.WaitForLogAsync("Edition daily: ");

        var list = await DigestProcess.RunAsync(folder.Path, Defaults(folder), "runs", "list");

        Assert.Equal(0, list.ExitCode);
    }

    private static void AssertNoStackTrace(ProcessResult result)
    {
        Assert.DoesNotContain("Unhandled exception", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("   at ", result.Output);
    }

    private static ProcessStartInfo AsUnprivilegedUser(ProcessStartInfo start, string home)
    {
        if (Environment.UserName != "root")
            return start;
        var wrapped = new ProcessStartInfo("setpriv") { WorkingDirectory = start.WorkingDirectory };
        foreach (string argument in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", start.FileName, .. start.ArgumentList])
            wrapped.ArgumentList.Add(argument);
        foreach (var (key, value) in start.Environment)
            wrapped.Environment[key] = value;
        wrapped.Environment["HOME"] = home;
        wrapped.Environment["DOTNET_CLI_HOME"] = home;
        return wrapped;
    }

    private static Dictionary<string, string> Defaults(TempFolder folder) => new()
    {
        ["Storage:DataDirectory"] = folder.Combine("data"),
        ["Editions:daily:Cron"] = "0 7 * * *",
        ["Editions:daily:TimeZone"] = "Europe/Berlin",
    };
}

using System.Diagnostics;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>What a finished Digest.App process left behind.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs the real Digest.App (the build next to the tests) as its own process, in a working folder of the test's,
/// with settings passed as environment variables the way operators override appsettings.json.
/// </summary>
public static class DigestProcess
{
    public static string AppPath => Path.Combine(AppContext.BaseDirectory, "Digest.App.dll");

    public static ProcessStartInfo StartInfo(string workingDirectory, IDictionary<string, string> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(AppPath);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["Rendering__TemplatesPath"] = DigestTestHost.TemplatesPath;
        start.Environment["Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__")] = value;
        return start;
    }

    /// <summary>Runs a command to completion (or kills it after the timeout and fails).</summary>
    public static Task<ProcessResult> RunAsync(string workingDirectory, IDictionary<string, string> settings, params string[] arguments) =>
        ProcessRunner.RunAsync(StartInfo(workingDirectory, settings, arguments), TimeSpan.FromSeconds(60));
}

using System.Diagnostics;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Email;

/// <summary>Runs one of Debian's own tools (spamassassin, python3) to completion, feeding it standard input.</summary>
internal static class ExternalTool
{
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, byte[]? input = null)
    {
        Assert.True(File.Exists(program), $"{program} is not installed (see the Debian packages the test command installs)");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
            await process.StandardInput.BaseStream.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within 120 s");
        }
        return new ProcessResult(process.ExitCode, await output, await error);
    }
}

using System.Diagnostics;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Email;

/// <summary>Runs one of Debian's own tools (spamassassin, python3); a missing tool fails the test, saying which package.</summary>
internal static class ExternalTool
{
    public static Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, byte[]? input = null)
    {
        Assert.True(File.Exists(program), $"{program} is not installed (see the Debian packages the test command installs)");
        var start = new ProcessStartInfo(program);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        return ProcessRunner.RunAsync(start, TimeSpan.FromSeconds(120), input);
    }
}

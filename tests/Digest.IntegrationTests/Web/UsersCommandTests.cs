using System.Diagnostics;
using Digest.App.Web.Access;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Web;

/// <summary>The operator's way to create a user, through the real Digest.App process.</summary>
public sealed class UsersCommandTests
{
    [Fact]
    public async Task UsersAdd_PrintsAHashOfThePassword_NeverThePassword()
    {
        using var folder = new TempFolder();
        const string password = "a long enough password";

        var (exitCode, output, error) = await RunWithInputAsync(folder, password, "users", "add", "ada", "--role", "admin");

        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain(password, output);
        string hash = output.Split('\n').Single(l => l.StartsWith("Users__ada__PasswordHash=", StringComparison.Ordinal))["Users__ada__PasswordHash=".Length..].Trim();
        Assert.True(PasswordHashes.Verify(hash, password));
        Assert.Contains("Users__ada__Roles__0=admin", output);
        Assert.Contains("\"PasswordHash\": \"" + hash + "\"", output);
    }

    [Fact]
    public async Task UsersAdd_ShortPassword_IsRefusedSayingHowLong()
    {
        using var folder = new TempFolder();

        var (exitCode, _, error) = await RunWithInputAsync(folder, "short", "users", "add", "ada", "--role", "admin");

        Assert.Equal(1, exitCode);
        Assert.Contains("the password has 5 characters; use at least 12", error);
    }

    [Fact]
    public async Task UsersAdd_UnknownRole_IsRefusedNamingTheRoles()
    {
        using var folder = new TempFolder();

        var (exitCode, _, error) = await RunWithInputAsync(folder, "a long enough password", "users", "add", "ada", "--role", "owner");

        Assert.Equal(1, exitCode);
        Assert.Contains("'owner' is not a role; roles are editor, admin", error);
    }

    [Fact]
    public async Task FirstRun_WithoutUsers_SaysHowToCreateOne()
    {
        using var folder = new TempFolder();
        var start = DigestProcess.StartInfo(folder.Path, new Dictionary<string, string> { ["Storage:DataDirectory"] = folder.Combine("data") });
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Snapshot(output).Contains("users add <name> --role admin") && DateTime.UtcNow < deadline && !process.HasExited)
                await Task.Delay(100);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.Contains("No users are configured", Snapshot(output));
        Assert.Contains("dotnet Digest.App.dll users add <name> --role admin", Snapshot(output));
    }

    private static string Snapshot(System.Text.StringBuilder output)
    {
        lock (output)
            return output.ToString();
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(TempFolder folder, string input, params string[] arguments)
    {
        var start = DigestProcess.StartInfo(folder.Path, new Dictionary<string, string>(), arguments);
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

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

        await using var service = RunningDigest.Start(folder.Path, new Dictionary<string, string> { ["Storage:DataDirectory"] = folder.Combine("data") });

        await service.WaitForLogAsync("No users are configured", TimeSpan.FromSeconds(30));
        await service.WaitForLogAsync("dotnet run --project src/Digest.App -- users add <name> --role admin", TimeSpan.FromSeconds(30));
    }

    private static Task<ProcessResult> RunWithInputAsync(TempFolder folder, string input, params string[] arguments) =>
        ProcessRunner.RunAsync(DigestProcess.StartInfo(folder.Path, new Dictionary<string, string>(), arguments), TimeSpan.FromSeconds(60),
            System.Text.Encoding.UTF8.GetBytes(input + "\n"));
}

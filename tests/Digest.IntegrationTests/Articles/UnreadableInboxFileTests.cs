using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Articles;

/// <summary>
/// An inbox file the service may not read (mode 000, the service without root's power to read anything) is set aside
/// once with its reason, and the files after it are ingested: it never stops the inbox for everyone.
/// </summary>
public sealed class UnreadableInboxFileTests
{
    [Fact]
    public async Task FileTheServiceMayNotRead_IsRejectedOnceWithItsReason_AndTheFilesAfterItAreIngested()
    {
        using var work = new TempFolder("digest-unreadable");
        await new ServiceSettings(FreePort.Next()).WriteAsync(work.Path);
        string inbox = Path.Combine(work.Path, "data", "inbox");
        Directory.CreateDirectory(inbox);
        // First in the inbox's order, so that every file after it depends on the pass going on.
        string locked = Path.Combine(inbox, "a-locked.txt");
        File.Copy(Fixture("ferry.txt"), locked);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        File.Copy(Fixture("solar.txt"), Path.Combine(inbox, "solar.txt"));
        File.Copy(Fixture("tram.txt"), Path.Combine(inbox, "tram.txt"));

        await using var service = RunningDigest.StartWithoutReadOverride(work.Path, new Dictionary<string, string>
        {
            ["Inbox:PollInterval"] = "00:00:00.200",
            ["Inbox:SettleTime"] = "00:00:00.100",
        });
        string processed = Path.Combine(inbox, "processed");
        string rejected = Path.Combine(inbox, "rejected");
        await service.WaitForLogAsync("Ingested tram.txt", TimeSpan.FromMinutes(2)); // a loaded machine starts the service slowly
        await service.WaitForLogAsync("Rejected inbox file a-locked.txt");

        Assert.Equal(["solar.txt", "tram.txt"], Directory.GetFiles(processed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(rejected, "a-locked.txt")), "the unreadable file was not set aside, with its content, in rejected/");
        Assert.Contains("the service may not read this file", File.ReadAllText(Path.Combine(rejected, "a-locked.txt.error.txt")));
        Assert.Empty(Directory.GetFiles(inbox));
        // Reported once, not on every pass, and never as a failed pass.
        await service.WaitForLogAsync("Ingested solar.txt");
        Assert.Single(service.Log.Split('\n'), line => line.Contains("Rejected inbox file a-locked.txt", StringComparison.Ordinal));
        service.AssertNoErrorsLogged();
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles", name);
}

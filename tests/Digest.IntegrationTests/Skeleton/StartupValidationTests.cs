using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Skeleton;

/// <summary>A bad setting stops the service at start with a message naming the setting and the value.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Editions:daily:Cron", "0 7 * *", "Editions:daily:Cron: '0 7 * *' is not a five-field cron expression")]
    [InlineData("Editions:daily:TimeZone", "Mars/Olympus", "Editions:daily:TimeZone: 'Mars/Olympus' is not a known IANA time zone")]
    [InlineData("Editions:daily:WhenEmpty", "Sometimes", "Failed to convert configuration value 'Sometimes' at 'Editions:daily:WhenEmpty'")]
    [InlineData("Editions:daily:MaxArticles", "many", "Failed to convert configuration value 'many' at 'Editions:daily:MaxArticles'")]
    [InlineData("Editions:daily:DeliverAt", "7am", "Editions:daily:DeliverAt: '7am' is not a local time of day such as 07:00")]
    [InlineData("Delivery:Smtp:Port", "70000", "Delivery:Smtp:Port: 70000 is not a TCP port")]
    public async Task Service_WithBadSetting_StopsNamingSettingAndValue(string key, string value, string expected)
    {
        using var folder = new TempFolder();
        var settings = Defaults(folder);
        settings[key] = value;

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest cannot start:", result.Error);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("   at ", result.Error); // a message, not a stack trace
    }

    [Fact]
    public async Task Cli_AddSubscriberWithMalformedAddress_SaysWhy()
    {
        using var folder = new TempFolder();

        var result = await DigestProcess.RunAsync(folder.Path, Defaults(folder), "subscribers", "add", "ana.example.com", "--edition", "daily");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'ana.example.com' is not an email address", result.Error);
    }

    [Fact]
    public async Task Cli_AddSubscriber_StoresNormalisedAddress_AndSendNowWithNothingNew_SendsNothing()
    {
        using var folder = new TempFolder();
        var settings = Defaults(folder);

        var added = await DigestProcess.RunAsync(folder.Path, settings, "subscribers", "add", "Ana@Example.com", "--name", "Ana", "--edition", "daily");
        var nothingYet = await DigestProcess.RunAsync(folder.Path, settings, "send", "daily", "--now");

        Assert.Equal(0, added.ExitCode);
        Assert.Contains("<ana@example.com> confirmed for daily", added.Output);
        Assert.Contains("No new articles", nothingYet.Output);
        Assert.False(Directory.Exists(folder.Combine("data", "outbox")) && Directory.EnumerateFiles(folder.Combine("data", "outbox")).Any());
    }

    private static Dictionary<string, string> Defaults(TempFolder folder) => new()
    {
        ["Storage:DataDirectory"] = folder.Combine("data"),
        ["Editions:daily:Cron"] = "0 7 * * *",
        ["Editions:daily:TimeZone"] = "Europe/Berlin",
        ["Delivery:Transport"] = "Smtp",
        ["Delivery:Smtp:Host"] = "127.0.0.1",
    };
}

using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Email;

/// <summary>A broken template or DKIM key stops the real service at start, saying what and where.</summary>
public sealed class EmailStartupTests
{
    private static Dictionary<string, string> Defaults(TempFolder folder) => new()
    {
        ["Storage:DataDirectory"] = folder.Combine("data"),
        ["Editions:daily:Cron"] = "0 7 * * *",
        ["Editions:daily:TimeZone"] = "Europe/Berlin",
        ["Delivery:FromAddress"] = "digest@news.example.org",
    };

    [Fact]
    public async Task Service_WithBrokenTemplate_StopsNamingTheFileAndLine()
    {
        using var folder = new TempFolder();
        string templates = folder.Combine("templates");
        Directory.CreateDirectory(templates);
        foreach (string file in Directory.GetFiles(DigestTestHost.TemplatesPath))
            File.Copy(file, Path.Combine(templates, Path.GetFileName(file)));
        string broken = Path.Combine(templates, "digest.html.cshtml");
        var lines = File.ReadAllLines(broken);
        lines[4] = "<p>@Model.Weather.Today</p>"; // line 5: the view has no Weather
        File.WriteAllLines(broken, lines);
        var settings = Defaults(folder);
        settings["Rendering:TemplatesPath"] = templates;

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest cannot start:", result.Error);
        Assert.Contains($"{broken}, line 5:", result.Error);
        Assert.Contains("Weather", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Service_WithMissingDkimKeyFile_StopsNamingTheSetting()
    {
        using var folder = new TempFolder();
        var settings = Defaults(folder);
        settings["Delivery:Dkim:KeyFile"] = "keys/dkim.pem";
        settings["Delivery:Dkim:Domain"] = "news.example.org";
        settings["Delivery:Dkim:Selector"] = "digest2026";

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Delivery:Dkim:KeyFile: '{folder.Combine("keys", "dkim.pem")}' does not exist", result.Error);
    }

    [Fact]
    public async Task Service_WithAnEditionFromADomainNoDkimKeyCovers_StopsNamingTheEdition()
    {
        using var folder = new TempFolder();
        var settings = Defaults(folder);
        settings["Delivery:Dkim:Keys:0:Domain"] = "news.example.org";
        settings["Delivery:Dkim:Keys:0:Selector"] = "digest2026";
        settings["Delivery:Dkim:Keys:0:KeyFile"] = Path.Combine(AppContext.BaseDirectory, "Fixtures", "dkim", "test-only-not-secret.private.pem");
        settings["Editions:weekly:Cron"] = "0 8 * * 1";
        settings["Editions:weekly:TimeZone"] = "Europe/Berlin";
        settings["Editions:weekly:FromAddress"] = "weekly@letters.example.net";

        var result = await DigestProcess.RunAsync(folder.Path, settings);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest cannot start:", result.Error);
        Assert.Contains("Delivery:Dkim: edition 'weekly' sends from letters.example.net, which no key covers", result.Error);
        Assert.DoesNotContain("edition 'daily'", result.Error);
    }
}

using System.Text.RegularExpressions;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Editions;

/// <summary>
/// The real service, started in a folder with its own appsettings.json: editing the file while it runs moves the
/// edition's schedule within seconds, and an invalid edit is refused with a log message, the last good schedule kept.
/// </summary>
public sealed class LiveScheduleEditTests
{
    private const string Settings = """
        {
          "Logging": { "LogLevel": { "Default": "Warning", "Digest": "Information" } },
          "Editions": {
            "daily": { "Title": "The Daily Digest", "Cron": "CRON", "TimeZone": "ZONE" }
          }
        }
        """;

    [Fact]
    public async Task EditingAppSettings_WhileRunning_ReschedulesTheEdition_AndRefusesAnInvalidEdit()
    {
        using var folder = new TempFolder();
        string file = folder.Combine("appsettings.json");
        await File.WriteAllTextAsync(file, Settings.Replace("CRON", "0 7 * * *").Replace("ZONE", "Europe/Berlin"));
        await using var service = await RunningService.StartAsync(folder);

        string home = await service.HomePageAsync();
        Assert.Contains("every day at 07:00 Europe/Berlin", home);
        Assert.Equal(5, Regex.Matches(home, @"<li>\w{3} \d{1,2} \w{3} \d{4} 07:00 (?:\+|&#x2B;)0[12]:00</li>").Count);

        await File.WriteAllTextAsync(file, Settings.Replace("CRON", "30 6 * * 1-5").Replace("ZONE", "America/New_York"));
        await service.WaitForLogAsync("Edition daily: Monday to Friday at 06:30 America/New_York; next run");
        Assert.Contains("Monday to Friday at 06:30 America/New_York", await service.HomePageAsync());

        await File.WriteAllTextAsync(file, Settings.Replace("CRON", "30 6 * * 1-5").Replace("ZONE", "Mars/Olympus"));
        await service.WaitForLogAsync("Editions:daily:TimeZone: 'Mars/Olympus' is not a known IANA time zone");
        Assert.Contains("Monday to Friday at 06:30 America/New_York", await service.HomePageAsync());
        Assert.False(service.HasExited, "an invalid edit must not stop the service");

        await File.WriteAllTextAsync(file, Settings.Replace("CRON", "0 8 * * 1").Replace("ZONE", "Europe/Berlin"));
        await service.WaitForLogAsync("Edition daily: Mondays at 08:00 Europe/Berlin; next run");
    }

    [Fact]
    public async Task SavingBrokenJson_WhileRunning_IsRefusedNamingTheLine_AndTheLastGoodSettingsStay()
    {
        using var folder = new TempFolder();
        string file = folder.Combine("appsettings.json");
        await File.WriteAllTextAsync(file, Settings.Replace("CRON", "30 6 * * 1-5").Replace("ZONE", "America/New_York"));
        await using var service = await RunningService.StartAsync(folder);

        // A comma lost at the end of line 2: the error is found on line 3.
        await File.WriteAllTextAsync(file, Settings.Replace("CRON", "0 8 * * 1").Replace("ZONE", "Europe/Berlin").Replace("\"Information\" } },", "\"Information\" } }"));
        await service.WaitForLogAsync("appsettings.json was saved with an error and is refused: line 3 is not valid JSON");
        Assert.Contains("Monday to Friday at 06:30 America/New_York", await service.HomePageAsync());
        Assert.DoesNotContain("Mondays at 08:00", service.Log);

        await File.WriteAllTextAsync(file, Settings.Replace("CRON", "0 8 * * 1").Replace("ZONE", "Europe/Berlin"));
        await service.WaitForLogAsync("Edition daily: Mondays at 08:00 Europe/Berlin; next run");
        Assert.False(service.HasExited);
    }

    [Fact]
    public async Task EditingASettingReadAtStart_WhileRunning_IsLoggedAsNeedingARestart_NamingItButNotItsValue()
    {
        using var folder = new TempFolder();
        string file = folder.Combine("appsettings.json");
        string withRelay = Settings.Replace("CRON", "0 7 * * *").Replace("ZONE", "Europe/Berlin")
            .Replace("\"Editions\": {", "\"Delivery\": { \"Smtp\": { \"Port\": 2525, \"Password\": \"first-secret\" } },\n  \"Editions\": {");
        await File.WriteAllTextAsync(file, withRelay);
        await using var service = await RunningService.StartAsync(folder);

        // An edition edit applies at once and needs no restart.
        await File.WriteAllTextAsync(file, withRelay.Replace("0 7 * * *", "30 6 * * 1-5"));
        await service.WaitForLogAsync("Edition daily: Monday to Friday at 06:30 Europe/Berlin; next run");
        Assert.DoesNotContain("only after a restart", service.Log);

        await File.WriteAllTextAsync(file, withRelay.Replace("0 7 * * *", "30 6 * * 1-5").Replace("2525", "2626").Replace("first-secret", "second-secret"));
        await service.WaitForLogAsync("Settings changed since start take effect only after a restart: Delivery:Smtp:Password, Delivery:Smtp:Port.");
        Assert.DoesNotContain("second-secret", service.Log);
        Assert.False(service.HasExited);
    }

    /// <summary>Digest.App on the test's folder, its home page read over HTTP.</summary>
    private sealed class RunningService : IAsyncDisposable
    {
        private readonly RunningDigest _service;
        private readonly HttpClient _http;

        private RunningService(RunningDigest service)
        {
            _service = service;
            _http = new HttpClient { BaseAddress = new Uri(service.Url), Timeout = TimeSpan.FromSeconds(10) };
        }

        public bool HasExited => _service.HasExited;

        public static async Task<RunningService> StartAsync(TempFolder folder)
        {
            var digest = RunningDigest.Start(folder.Path, new Dictionary<string, string>
            {
                ["Storage:DataDirectory"] = folder.Combine("data"),
                ["Inbox:Path"] = folder.Combine("data", "inbox"),
                ["Delivery:PickupDirectory"] = folder.Combine("data", "outbox"),
            });
            var service = new RunningService(digest);
            await service.WaitForLogAsync("Edition daily: ");
            // The scheduler logs while the host is still starting; Kestrel binds a moment later.
            await FreePort.WaitUntilListeningAsync(new Uri(digest.Url).Port, TimeSpan.FromSeconds(30));
            return service;
        }

        public async Task<string> HomePageAsync() => await _http.GetStringAsync("/");

        public Task WaitForLogAsync(string text) => _service.WaitForLogAsync(text);

        public string Log => _service.Log;

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _service.DisposeAsync();
        }
    }
}

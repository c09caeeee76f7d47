using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// The real Digest.App host (web, Hangfire, inbox watcher) on a scratch data folder, with settings given by the
/// test on top of safe defaults: SQLite, pickup-folder mail, one "daily" edition that never fires by itself.
/// </summary>
public sealed class DigestTestHost : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new("digest-host");
    private readonly Dictionary<string, string?> _settings;

    public DigestTestHost(IDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = _folder.Combine("data"),
            ["Inbox:Path"] = _folder.Combine("data", "inbox"),
            ["Inbox:PollInterval"] = "00:00:00.200",
            ["Inbox:SettleTime"] = "00:00:00.200",
            ["Delivery:PickupDirectory"] = _folder.Combine("data", "outbox"),
            ["Delivery:FromAddress"] = "digest@news.example.org",
            ["Rendering:TemplatesPath"] = TemplatesPath,
            ["Site:PublicUrl"] = "https://digest.example.org",
            ["Editions:daily:Title"] = "The Daily Digest",
            ["Editions:daily:Cron"] = "0 7 1 1 *",
            ["Editions:daily:TimeZone"] = "Europe/Berlin",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    /// <summary>The repository's templates, copied next to the test assembly at build time.</summary>
    public static string TemplatesPath => Path.Combine(AppContext.BaseDirectory, "templates");

    public string DataDirectory => _folder.Combine("data");
    public string InboxPath => _folder.Combine("data", "inbox");
    public string OutboxPath => _folder.Combine("data", "outbox");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(_folder.Path);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
    }

    public T Get<T>() where T : notnull => (T)Services.GetService(typeof(T))!;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Dispose();
    }
}

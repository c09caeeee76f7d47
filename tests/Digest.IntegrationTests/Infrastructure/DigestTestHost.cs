using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// The real Digest.App host (web, Hangfire, inbox watcher) on a scratch data folder, with settings given by the
/// test on top of safe defaults: SQLite, pickup-folder mail, one "daily" edition that never fires by itself.
/// </summary>
public sealed class DigestTestHost : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new("digest-host");
    private readonly Dictionary<string, string?> _settings;
    private readonly LiveSettings? _live;

    /// <param name="settings">Settings on top of the defaults.</param>
    /// <param name="live">Settings the test changes while the host runs (read after <paramref name="settings"/>).</param>
    public DigestTestHost(IDictionary<string, string?>? settings = null, LiveSettings? live = null)
    {
        _live = live;
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

    /// <summary>A host that sends over SMTP to the given sink (plain text on loopback).</summary>
    public static DigestTestHost SendingTo(SmtpSink sink, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Delivery:Transport"] = "Smtp",
            ["Delivery:Smtp:Host"] = "127.0.0.1",
            ["Delivery:Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Delivery:Smtp:Security"] = "None",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        return new DigestTestHost(all);
    }

    /// <summary>The repository's templates, copied next to the test assembly at build time.</summary>
    public static string TemplatesPath => Path.Combine(AppContext.BaseDirectory, "templates");

    /// <summary>What the host logged at Error or above.</summary>
    public ErrorLog Errors { get; } = new();

    public string DataDirectory => _folder.Combine("data");
    public string InboxPath => _folder.Combine("data", "inbox");
    public string OutboxPath => _folder.Combine("data", "outbox");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(_folder.Path);
        builder.ConfigureAppConfiguration(configuration =>
        {
            configuration.AddInMemoryCollection(_settings);
            if (_live is not null)
                configuration.Add(_live);
        });
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IStartupFilter, LoopbackClient>();
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Errors);
        });
    }

    public void AssertNoErrorsLogged() => Errors.AssertNone();

    /// <summary>
    /// TestServer requests carry no client address; Kestrel would report loopback for them, and Digest admits
    /// loopback to editor pages until a user is configured.
    /// </summary>
    private sealed class LoopbackClient : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Connection.RemoteIpAddress ??= System.Net.IPAddress.Loopback;
                return following(context);
            });
            next(app);
        };
    }

    public T Get<T>() where T : notnull => (T)Services.GetService(typeof(T))!;

    /// <summary>Drops a fixture article into the inbox and waits until the inbox watcher has stored it.</summary>
    public async Task DropArticleAsync(string fixture)
    {
        _ = Server; // the watcher runs only once the host has started
        Directory.CreateDirectory(InboxPath);
        string source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles", fixture);
        File.Copy(source, Path.Combine(InboxPath, fixture));
        string processed = Path.Combine(InboxPath, "processed", fixture);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!File.Exists(processed) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Xunit.Assert.True(File.Exists(processed),
            $"the inbox did not ingest {fixture}: {string.Join(", ", Directory.EnumerateFiles(InboxPath, "*", SearchOption.AllDirectories))}");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Dispose();
    }
}

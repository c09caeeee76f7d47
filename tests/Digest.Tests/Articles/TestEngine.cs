using Digest.Articles;
using Digest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Articles;

/// <summary>
/// The engine as the service wires it (real SQLite file, real inbox folder) in a scratch folder, on a fake clock
/// so settle times are decided by the test.
/// </summary>
internal sealed class TestEngine : IAsyncDisposable
{
    private readonly IHost _host;

    private TestEngine(IHost host, string root)
    {
        _host = host;
        Root = root;
    }

    public string Root { get; }
    public IServiceProvider Services => _host.Services;
    public FakeTimeProvider Time => (FakeTimeProvider)_host.Services.GetRequiredService<TimeProvider>();
    public ArticleStore Articles => _host.Services.GetRequiredService<ArticleStore>();
    public InboxProcessor Inbox => _host.Services.GetRequiredService<InboxProcessor>();
    public Database Database => _host.Services.GetRequiredService<Database>();

    public static async Task<TestEngine> StartAsync(IDictionary<string, string?>? settings = null)
    {
        string root = Path.Combine(Path.GetTempPath(), $"digest-engine-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = "data",
            ["Inbox:Path"] = "data/inbox",
            ["Inbox:SettleTime"] = "00:00:02",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        builder.AddDigestEngine();
        var host = builder.Build();
        await host.Services.GetRequiredService<Database>().MigrateAsync();
        return new TestEngine(host, root);
    }

    /// <summary>Writes a file into the inbox, last written at the fake clock's "now".</summary>
    public string Drop(string name, byte[] content)
    {
        Directory.CreateDirectory(Inbox.InboxPath);
        string path = Path.Combine(Inbox.InboxPath, name);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, Time.GetUtcNow().UtcDateTime);
        return path;
    }

    public static IEnumerable<string> FilesIn(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().Order() : [];

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Task.Yield();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}

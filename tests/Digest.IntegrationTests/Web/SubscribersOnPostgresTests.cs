using System.Net;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>Sign-up, preferences, search and import on a real PostgreSQL cluster: the same SQL as on SQLite.</summary>
public sealed class SubscribersOnPostgresTests : IAsyncLifetime
{
    private PostgresCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task SubscriberLifecycleSearchAndImport_WorkOnPostgres()
    {
        var settings = WebForms.Users();
        settings["Editions:weekly:Cron"] = "0 8 1 1 *";
        settings["Storage:Provider"] = "Postgres";
        settings["Storage:ConnectionString"] = await _cluster.CreateDatabaseAsync();
        using var host = new DigestTestHost(settings);
        using var client = WebForms.Client(host);
        await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword);
        var lifecycle = host.Get<SubscriberLifecycle>();
        var store = host.Get<SubscriberStore>();

        var nora = await lifecycle.SignUpAsync("nora@example.com", "Nora", ["daily"]);
        await lifecycle.SignUpAsync("nora@example.com", "Mallory", ["daily"]);
        bool beforeConfirming = await store.IsSubscribedAsync(nora!.Id, "daily");
        await lifecycle.ConfirmAsync(nora.Id);
        bool afterConfirming = await store.IsSubscribedAsync(nora.Id, "daily");
        await lifecycle.SaveAsync(nora.Id, ["daily"], paused: true);
        bool whilePaused = await store.IsSubscribedAsync(nora.Id, "daily");
        var import = await WebForms.UploadAsync(client, "/subscribers/import", "/subscribers/import", "file", "subscribers/import.csv");
        string found = await client.GetStringAsync("/subscribers?q=BEN&edition=daily&status=confirmed");
        string paused = await client.GetStringAsync("/subscribers?status=paused");

        Assert.False(beforeConfirming);
        Assert.True(afterConfirming);
        Assert.False(whilePaused);
        Assert.Equal("Nora", (await store.FindAsync(nora.Id))?.Name);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        string report = await import.Content.ReadAsStringAsync();
        Assert.True(report.Contains("<strong id=\"added\">3</strong> added", StringComparison.Ordinal), report);
        Assert.Contains("ben@example.net", found);
        Assert.DoesNotContain("ana@example.com", found);
        Assert.Contains("nora@example.com", paused);
    }
}

using Dapper;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Digest.IntegrationTests.ScaleOut;

/// <summary>The same schema and flow on a real PostgreSQL cluster.</summary>
public sealed class PostgresStorageTests : IAsyncLifetime
{
    private PostgresCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Migrate_FromSeveralProcessesAtOnce_AppliesEachMigrationOnce()
    {
        string connectionString = await _cluster.CreateDatabaseAsync();
        using var folder = new TempFolder();
        var databases = Enumerable.Range(0, 6).Select(_ => new Database(
            Options.Create(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = connectionString, DataDirectory = folder.Path }),
            new HostingEnvironment { ContentRootPath = folder.Path }, NullLogger<Database>.Instance)).ToList();

        await Task.WhenAll(databases.Select(d => d.MigrateAsync()));

        await using var connection = new NpgsqlConnection(connectionString);
        var versions = (await connection.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version")).ToList();
        Assert.Equal(versions.Distinct(), versions);
        Assert.Equal(Enumerable.Range(1, versions.Count).Select(v => (long)v), versions);
        foreach (var database in databases)
            await database.DisposeAsync();
    }

    [Fact]
    public async Task Edition_OnPostgres_ReachesEverySubscriberOverSmtp_Once()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink, new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await _cluster.CreateDatabaseAsync(),
        });
        await host.DropArticleAsync("tram.txt");
        var subscribers = host.Get<SubscriberStore>();
        for (int i = 0; i < 25; i++)
            await subscribers.AddConfirmedAsync($"reader{i}@example.com", $"Reader {i}", ["daily"]);

        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        await host.Get<EditionJobs>().ResumeUnfinishedAsync(CancellationToken.None);

        Assert.Equal(25, report?.Sent);
        var received = await sink.WaitForAsync(25, TimeSpan.FromSeconds(10));
        Assert.Equal(25, received.Count);
        Assert.Equal(25, received.SelectMany(m => m.Recipients).Distinct().Count());
        Assert.All(received, m => Assert.Contains("Riverside Tram Line", m.Message.Subject));
    }

    [Fact]
    public async Task Runs_OfTwoSlotsStartedAtOnce_TakeEachArticleOnce()
    {
        using var host = new DigestTestHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await _cluster.CreateDatabaseAsync(),
        });
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var runner = host.Get<EditionRunner>();
        var monday = new DateTimeOffset(2026, 3, 16, 6, 0, 0, TimeSpan.Zero);

        // Two workers whose schedulers each start a different slot at the same moment.
        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => runner.StartAsync("daily", monday.AddMinutes(i)))));

        await using var connection = await host.Get<Database>().OpenAsync();
        long carried = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM run_articles");
        Assert.Equal(1, carried);
        Assert.Single(runs, r => r.Status == RunStatus.Sending);
    }
}

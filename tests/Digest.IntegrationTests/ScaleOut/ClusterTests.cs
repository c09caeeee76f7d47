using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.ScaleOut;

/// <summary>
/// Three worker processes and one web process on one PostgreSQL store and job queue send an edition to 20,000
/// subscribers; one worker is killed with SIGKILL mid-run. Everyone still gets the digest exactly once, but for the
/// killed worker's in-flight messages, which repeat with the same Message-ID; the run's batch jobs were shared
/// between workers and none failed.
/// </summary>
public sealed class ClusterTests
{
    private const int Audience = 20_000;
    private const int ConnectionsPerWorker = 2;

    [Fact]
    public async Task Cluster_WorkerKilledMidRun_EverySubscriberGetsTheDigestOnce_ButInFlightRepeats()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        await using var sink = await SmtpSink.StartAsync();
        using var work = new TempFolder("digest-cluster");
        string connectionString = await postgres.CreateDatabaseAsync();
        await new ServiceSettings(sink.Port)
        {
            PostgresConnectionString = connectionString,
            Connections = ConnectionsPerWorker,
            Cron = "* * * * *",
            BatchSize = 500,
            // Long enough for a live worker to get through its batch of 500 on a loaded machine (at 5 s, the batch's
            // tail went stale while its worker still sent it, and another worker sent it again); the killed worker's
            // claims still come back well within the test's wait.
            ClaimTimeout = "00:00:30",
            SmtpTimeout = "00:00:20",
        }.WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await SeedAsync(engine.Services);

        await using var web = RunningDigest.Start(work.Path, new Dictionary<string, string> { ["Process:Role"] = "Web" });
        var workers = Enumerable.Range(0, 3)
            .Select(_ => RunningDigest.Start(work.Path, new Dictionary<string, string> { ["Process:Role"] = "Worker" })).ToList();
        try
        {
            // Each worker's scheduler catches up the edition's latest slot at start: one run cluster-wide.
            await WaitForMessagesAsync(sink, Audience / 4, workers);
            await workers[0].KillAsync();
            int receivedAtKill = sink.CompleteCount();

            var run = Assert.Single(await ScaleOutScenario.SentRunsAsync(engine.Services));
            await WaitForCompletionAsync(engine.Services, run, TimeSpan.FromMinutes(4));

            Assert.InRange(receivedAtKill, 1, Audience - 1);
            var ledger = await LedgerAsync(engine.Services, run);
            Assert.Equal(Audience, ledger.Count);
            var received = await sink.WaitForAsync(Audience, TimeSpan.FromSeconds(10));
            AssertEveryoneOnce_ButInFlight(ledger, received, inFlightLimit: ConnectionsPerWorker);
            // The web front shows the surviving workers' job servers alive, and the killed one no longer.
            Assert.Equal(2, await AliveServersAsync(web.Url, expected: 2));

            // The run was cut into batch jobs that several workers took, and no job failed on the way (the killed
            // worker's batches stay "processing" in the job storage: their claims ran out and others sent them).
            var jobs = JobRecords.Read(connectionString);
            JobRecords.AssertNoneFailed(jobs, connectionString);
            foreach (var process in workers.Skip(1).Append(web))
                process.AssertNoErrorsLogged();
            var batchServers = jobs.Where(j => j.Method == "SendBatchAsync" && j.State == SucceededState.StateName)
                .SelectMany(j => j.Servers).Distinct().ToList();
            Assert.True(batchServers.Count >= 2, $"batches were not shared between workers: {string.Join("; ", jobs)}");
        }
        finally
        {
            foreach (var worker in workers)
                await worker.DisposeAsync();
        }
    }

    /// <summary>The fixture article and 20,000 confirmed subscribers, inserted in bulk.</summary>
    private static async Task SeedAsync(IServiceProvider services)
    {
        byte[] text = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles", "tram.txt"));
        await services.GetRequiredService<ArticleStore>().AddAsync(ArticleParser.Parse(text).Article!, new ArticleOrigin("test"));
        await using var connection = await services.GetRequiredService<Database>().OpenAsync();
        string now = Clock.Format(DateTimeOffset.UtcNow);
        await connection.ExecuteAsync("""
            INSERT INTO subscribers (email, name, status, created_at)
            SELECT 'reader' || lpad(g::text, 5, '0') || '@example.com', 'Reader ' || g, 'confirmed', @now FROM generate_series(1, @Audience) g;
            INSERT INTO subscriptions (subscriber_id, edition, status, updated_at) SELECT id, 'daily', 'confirmed', @now FROM subscribers;
            """, new { now, Audience });
    }

    private static async Task WaitForMessagesAsync(SmtpSink sink, int count, IReadOnlyList<RunningDigest> workers)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (sink.CompleteCount() < count)
        {
            if (workers.Any(w => w.HasExited) || DateTime.UtcNow > deadline)
                throw new TimeoutException($"the cluster did not send {count} messages; the first worker said:\n{workers[0].Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>The job servers /healthz calls alive, once that count is as expected or a minute has passed.</summary>
    private static async Task<int> AliveServersAsync(string url, int expected)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        int alive;
        do
        {
            var health = await http.GetFromJsonAsync<JsonElement>("/healthz");
            // Asked from this machine with no users configured, the answer carries the details an admin sees.
            var jobStorage = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "job-storage");
            alive = jobStorage.GetProperty("data").GetProperty("servers").EnumerateArray().Count(s => s.GetProperty("alive").GetBoolean());
            if (alive == expected)
                break;
            await Task.Delay(500);
        } while (DateTime.UtcNow < deadline);
        return alive;
    }
}

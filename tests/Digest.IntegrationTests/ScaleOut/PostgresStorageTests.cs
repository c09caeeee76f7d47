using Dapper;
using Digest.Delivery;
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

    /// <summary>
    /// Many senders claim and record the same run's entries at once, each taking over the others' claims (a claim
    /// times out at once here, as a killed worker's do), and record outcomes in the order their messages finished.
    /// None of them waits on another's rows in a cycle: a deadlock would fail one sender's job.
    /// </summary>
    [Fact]
    public async Task Ledger_ClaimedAndRecordedBySendersTakingOverEachOthersClaims_NeverDeadlocks()
    {
        const int Recipients = 2_000, Senders = 6, Rounds = 60;
        using var folder = new TempFolder();
        await using var database = await MigratedDatabaseAsync(folder);
        long runId = await SeedRunAsync(database, Recipients);
        // Every claim is stale the moment it is taken: each sender's claims are there for the others to take over.
        var ledger = new DeliveryLedger(database, Options.Create(new DeliveryOptions { ClaimTimeout = TimeSpan.FromSeconds(-1) }), TimeProvider.System);

        var senders = Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            await using var recorder = await ledger.OpenRecorderAsync(CancellationToken.None);
            var random = new Random(sender);
            for (int round = 0; round < Rounds; round++)
            {
                var claims = await ledger.ClaimAsync(runId, SubscriberRange.All, 50, DateTimeOffset.UtcNow, CancellationToken.None);
                // Messages finish in any order; half come back as retries due at once, so the contention goes on.
                var outcomes = claims.OrderBy(_ => random.Next())
                    .Select(c => random.Next(2) == 0
                        ? new DeliveryOutcome(c.SubscriberId, DeliveryStatus.Sent, "250 ok")
                        : new DeliveryOutcome(c.SubscriberId, DeliveryStatus.Retry, "451 later", DateTimeOffset.UtcNow.AddSeconds(-1)))
                    .ToList();
                await ledger.RecordAsync(recorder, outcomes.Select(o => (runId, o)).ToList(), CancellationToken.None);
            }
        })).ToList();

        var failures = new List<Exception>();
        foreach (var sender in senders)
        {
            try { await sender; }
            catch (Exception e) { failures.Add(e); }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Select(f => f.Message)));
        var counts = await ledger.CountAsync(runId);
        Assert.Equal(Recipients, counts.Values.Sum());
        Assert.InRange(counts.GetValueOrDefault(DeliveryStatus.Sent), 1, Recipients);
    }

    /// <summary>
    /// A run frozen after PostgreSQL last gathered the ledger's statistics (autovacuum had seen only an earlier, sent
    /// run: the new run has one row as far as the planner knows) is claimed a chunk at a time. Picked in a subquery of
    /// the update, the claim was planned as a join that ran the picking again for every row of the run: one claim of 64
    /// took all 3,000 copies, in seconds, and with them the other senders' share.
    /// </summary>
    [Fact]
    public async Task Ledger_ClaimOnARunNewerThanTheStatistics_TakesOneChunk()
    {
        using var folder = new TempFolder();
        await using var database = await MigratedDatabaseAsync(folder);
        long earlier = await SeedRunAsync(database, 1_000);
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE deliveries SET status = 'sent' WHERE run_id = @earlier", new { earlier });
            await connection.ExecuteAsync("ANALYZE deliveries");
        }
        long runId = await SeedRunAsync(database, 3_000);
        var ledger = new DeliveryLedger(database, Options.Create(new DeliveryOptions()), TimeProvider.System);

        var claims = await ledger.ClaimAsync(runId, SubscriberRange.All, 64, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(64, claims.Count);
        var counts = await ledger.CountAsync(runId);
        Assert.Equal(64, counts.GetValueOrDefault(DeliveryStatus.Sending));
        Assert.Equal(3_000 - 64, counts.GetValueOrDefault(DeliveryStatus.Pending));
    }

    /// <summary>
    /// One commit of mixed outcomes on PostgreSQL (one statement there): each row gets its own status, reply, retry
    /// time and attempt, a mailbox that does not exist is suppressed with it, and a refusal of Digest itself is not charged.
    /// </summary>
    [Fact]
    public async Task Ledger_RecordsACommitOfMixedOutcomes_EachOnItsOwnRow_AndSuppressesMissingMailboxes()
    {
        using var folder = new TempFolder();
        await using var database = await MigratedDatabaseAsync(folder);
        long runId = await SeedRunAsync(database, 4);
        var ledger = new DeliveryLedger(database, Options.Create(new DeliveryOptions()), TimeProvider.System);
        var claims = await ledger.ClaimAsync(runId, SubscriberRange.All, 10, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal(4, claims.Count);
        var retryAt = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        long[] ids = claims.Select(c => c.SubscriberId).ToArray();

        await using (var recorder = await ledger.OpenRecorderAsync(CancellationToken.None))
            await ledger.RecordAsync(recorder, [
                (runId, new DeliveryOutcome(ids[3], DeliveryStatus.Retry, "relay says: fix the password", retryAt, Charged: false)),
                (runId, new DeliveryOutcome(ids[0], DeliveryStatus.Sent, "250 2.0.0 queued")),
                (runId, new DeliveryOutcome(ids[2], DeliveryStatus.Retry, "451 4.7.1 later", retryAt)),
                (runId, new DeliveryOutcome(ids[1], DeliveryStatus.Failed, "550 5.1.1 no such user", Suppress: true)),
            ], CancellationToken.None);

        await using var connection = await database.OpenAsync();
        var rows = (await connection.QueryAsync<(long Id, string Status, string Reply, string? Next, long Attempts, string? Claim, string Subscriber)>("""
            SELECT d.subscriber_id, d.status, d.last_reply, d.next_attempt_at, d.attempts, d.claim, p.status
            FROM deliveries d JOIN subscribers p ON p.id = d.subscriber_id WHERE d.run_id = @runId ORDER BY d.subscriber_id
            """, new { runId })).ToList();
        (long, string, string, string?, long, string?, string)[] expected = [
            (ids[0], DeliveryStatus.Sent, "250 2.0.0 queued", null, 1L, null, SubscriberStatus.Confirmed),
            (ids[1], DeliveryStatus.Failed, "550 5.1.1 no such user", null, 1L, null, SubscriberStatus.Suppressed),
            (ids[2], DeliveryStatus.Retry, "451 4.7.1 later", Clock.Format(retryAt), 1L, null, SubscriberStatus.Confirmed),
            (ids[3], DeliveryStatus.Retry, "relay says: fix the password", Clock.Format(retryAt), 0L, null, SubscriberStatus.Confirmed),
        ];
        Assert.Equal(expected, rows);
    }

    /// <summary>A migrated store in a fresh database of the cluster, its files in <paramref name="folder"/>.</summary>
    private async Task<Database> MigratedDatabaseAsync(TempFolder folder)
    {
        var database = new Database(
            Options.Create(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await _cluster.CreateDatabaseAsync(), DataDirectory = folder.Path }),
            new HostingEnvironment { ContentRootPath = folder.Path }, NullLogger<Database>.Instance);
        await database.MigrateAsync();
        return database;
    }

    /// <summary>A sending run owed to <paramref name="recipients"/> new subscribers.</summary>
    private static async Task<long> SeedRunAsync(Database database, int recipients)
    {
        await using var connection = await database.OpenAsync();
        string now = Clock.Format(DateTimeOffset.UtcNow);
        long runId = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO runs (edition, slot, status, created_at) VALUES ('daily', @now, 'sending', @now) RETURNING id", new { now });
        await connection.ExecuteAsync("""
            INSERT INTO subscribers (email, name, status, created_at)
            SELECT 'reader' || @runId || '.' || n || '@example.com', 'Reader ' || n, 'confirmed', @now FROM generate_series(1, @recipients) AS n
            """, new { recipients, now, runId });
        await connection.ExecuteAsync("""
            INSERT INTO deliveries (run_id, subscriber_id, status, message_id, attempts, updated_at)
            SELECT @runId, id, 'pending', 'digest.' || @runId || '.' || id || '@example.org', 0, @now FROM subscribers
            WHERE email LIKE 'reader' || @runId || '.%'
            """, new { runId, now });
        return runId;
    }
}

using Dapper;
using Digest.Delivery;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// How long after a run starts its first message is accepted, at growing audiences: a real Digest.App process, up
/// and running, fires the edition on its schedule, and the time is the ledger's, from the run's creation to its first copy recorded as
/// sent. Once that copy is in, the process is stopped: the rest of the run is not what is measured.
/// </summary>
internal static class FirstMessageBenchmark
{
    /// <summary><c>first-message [--subscribers 100000,1000000] [--connections 4] [--postgres]</c></summary>
    public static async Task RunAsync(string[] args)
    {
        int at = Array.IndexOf(args, "--subscribers");
        int[] sizes = (at >= 0 && at + 1 < args.Length ? args[at + 1] : "100000,1000000").Split(',').Select(int.Parse).ToArray();
        int connections = DeliveryBenchmark.Option(args, "--connections", 4);
        bool postgres = args.Contains("--postgres");
        await using var sink = await SmtpSink.StartDiscardingAsync();
        await using var cluster = postgres ? await PostgresCluster.StartAsync(durable: true) : null;
        Console.WriteLine($"Time to the first message, {(postgres ? "one PostgreSQL worker (fsync on)" : "one process on SQLite")}, " +
                          $"{connections} SMTP connections, smtp-sink on loopback; load average {ScaleOutBenchmark.LoadAverage()}");
        foreach (int subscribers in sizes)
        {
            var settings = new ServiceSettings(sink.Port)
            {
                Connections = connections, BatchSize = 1000, ClaimTimeout = "00:00:30",
                PostgresConnectionString = cluster is null ? null : await cluster.CreateDatabaseAsync(),
            };
            using var work = new TempFolder("digest-first-message");
            await settings.WriteAsync(work.Path);
            using var engine = await DigestEngine.StartAsync(work.Path);
            await DeliveryBenchmark.SeedAsync(engine.Services, 0);
            await using var connection = await engine.Services.GetRequiredService<Database>().OpenAsync();
            await SeedAudienceAsync(connection, subscribers);

            // The edition fires once a day, at a minute at least 45 s ahead, so the run starts in a process that is up
            // and warm, as in service. An hourly schedule would not do: the slot an hour back is inside the catch-up
            // window, and the process would run it while it starts, which is not what is measured.
            var slot = NextWholeMinute(DateTimeOffset.UtcNow.AddSeconds(45));
            var local = TimeZoneInfo.ConvertTime(slot, TimeZoneInfo.FindSystemTimeZoneById(ServiceSettings.TimeZone));
            await (settings with { Cron = $"{local.Minute} {local.Hour} * * *" }).WriteAsync(work.Path);
            await using var service = RunningDigest.Start(work.Path, new Dictionary<string, string> { ["Process:Role"] = postgres ? "Worker" : "All" });
            await ScaleOutBenchmark.WaitAsync<int>([service], async () =>
                await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE status = @sent", new { sent = DeliveryStatus.Sent }) > 0 ? 1 : null);
            var (runSlot, created, first) = await connection.QuerySingleAsync<(string Slot, string Created, string First)>("""
                SELECT r.slot, r.created_at, MIN(d.updated_at) FROM runs r JOIN deliveries d ON d.run_id = r.id
                WHERE d.status = @sent GROUP BY r.id, r.slot, r.created_at
                """, new { sent = DeliveryStatus.Sent });
            if (Clock.Parse(runSlot) != slot)
                throw new InvalidOperationException($"The run measured is for the slot {runSlot}, not the scheduled {slot:u}: the figure would not be a scheduled run's");
            Console.WriteLine($"  {subscribers,10:N0} subscribers: first message {(Clock.Parse(first) - Clock.Parse(created)).TotalMilliseconds,6:N0} ms after the run started");
        }
    }

    private static DateTimeOffset NextWholeMinute(DateTimeOffset at) =>
        new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero).AddMinutes(at.Second == 0 && at.Millisecond == 0 ? 0 : 1);

    /// <summary>The audience in one statement, so a million subscribers are seeded in seconds on either store.</summary>
    private static async Task SeedAudienceAsync(System.Data.Common.DbConnection connection, int subscribers)
    {
        string now = Clock.Format(DateTimeOffset.UtcNow);
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("""
            WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @subscribers)
            INSERT INTO subscribers (email, name, status, created_at)
            SELECT 'reader' || i || '@example.com', 'Reader ' || i, 'confirmed', @now FROM n
            """, new { subscribers, now }, transaction, commandTimeout: 600);
        await connection.ExecuteAsync("INSERT INTO subscriptions (subscriber_id, edition, status, updated_at) SELECT id, 'daily', 'confirmed', @now FROM subscribers",
            new { now }, transaction, commandTimeout: 600);
        await transaction.CommitAsync();
    }
}

using Dapper;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>
/// One edition to many subscribers, sent by real Digest.App processes: a single process on SQLite (the baseline),
/// then 1, 2 and 4 worker processes sharing a PostgreSQL store and job queue, all against one discarding smtp-sink.
/// Each figure is the run's own pace, from the run's creation to its completion as the ledger records them.
/// </summary>
internal static class ScaleOutBenchmark
{
    /// <summary><c>scaleout [--subscribers 100000] [--workers 1,2,4] [--connections 2]</c></summary>
    public static async Task RunAsync(string[] args)
    {
        int subscribers = DeliveryBenchmark.Option(args, "--subscribers", 100_000);
        int connections = DeliveryBenchmark.Option(args, "--connections", 2);
        int at = Array.IndexOf(args, "--workers");
        int[] workerCounts = (at >= 0 && at + 1 < args.Length ? args[at + 1] : "1,2,4").Split(',').Select(int.Parse).ToArray();
        await using var sink = await SmtpSink.StartDiscardingAsync();
        await using var postgres = await PostgresCluster.StartAsync(durable: true); // fsync on, as an operator runs it

        Console.WriteLine($"One edition, {subscribers:N0} subscribers, {connections} SMTP connections per process, smtp-sink on loopback");
        double baseline = await MeasureAsync("SQLite, 1 process", new ServiceSettings(sink.Port) { Connections = connections }, 1, subscribers);
        var results = new List<(int Workers, double Rate)>();
        foreach (int workers in workerCounts)
        {
            var settings = new ServiceSettings(sink.Port) { Connections = connections, PostgresConnectionString = await postgres.CreateDatabaseAsync() };
            results.Add((workers, await MeasureAsync($"PostgreSQL, {workers} worker(s)", settings, workers, subscribers)));
        }

        Console.WriteLine();
        foreach (var (workers, rate) in results)
            Console.WriteLine($"PostgreSQL {workers} worker(s) / SQLite single process: {rate / baseline:0.00}x");
    }

    private static async Task<double> MeasureAsync(string label, ServiceSettings settings, int workers, int subscribers)
    {
        using var work = new TempFolder("digest-scaleout");
        await (settings with { Cron = "* * * * *", BatchSize = 1000, ClaimTimeout = "00:00:30" }).WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await DeliveryBenchmark.SeedAsync(engine.Services, subscribers);

        var role = settings.PostgresConnectionString is null ? "All" : "Worker";
        var processes = Enumerable.Range(0, workers)
            .Select(_ => RunningDigest.Start(work.Path, new Dictionary<string, string> { ["Process:Role"] = role })).ToList();
        try
        {
            // Every process's scheduler catches up the edition's latest minute at start: one run, cluster-wide.
            var (sent, elapsed) = await WaitForRunAsync(engine.Services, processes);
            double rate = sent / elapsed.TotalSeconds;
            Console.WriteLine($"  {label,-26} {rate,8:N0} msg/s  ({sent:N0} in {elapsed.TotalSeconds:0.0} s)");
            return rate;
        }
        finally
        {
            foreach (var process in processes)
                await process.DisposeAsync();
        }
    }

    private static async Task<(int Sent, TimeSpan Elapsed)> WaitForRunAsync(IServiceProvider services, IReadOnlyList<RunningDigest> processes)
    {
        var deadline = DateTime.UtcNow.AddMinutes(20);
        await using var connection = await services.GetRequiredService<Database>().OpenAsync();
        while (DateTime.UtcNow < deadline)
        {
            var run = await connection.QuerySingleOrDefaultAsync<(string CreatedAt, string? CompletedAt)?>(
                "SELECT created_at, completed_at FROM runs WHERE status = @completed", new { completed = RunStatus.Completed });
            if (run is { CompletedAt: { } completed } done)
            {
                long sent = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'");
                return ((int)sent, Clock.Parse(completed) - Clock.Parse(done.CreatedAt));
            }
            if (processes.Any(p => p.HasExited))
                throw new InvalidOperationException($"a service process stopped: {processes.First(p => p.HasExited).Log}");
            await Task.Delay(200);
        }
        throw new TimeoutException($"the run did not complete; the first process said:\n{processes[0].Log}");
    }
}

using System.Globalization;
using Dapper;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

/// <summary>
/// One edition to many subscribers, sent by real Digest.App processes: a single process on SQLite (the baseline),
/// then worker processes sharing a PostgreSQL store (fsync on, as operators run it) and job queue, all against one
/// discarding smtp-sink. Every configuration gets the same total SMTP connections, split between its processes.
/// The configurations take turns (SQLite, PostgreSQL 1 worker, 2 workers, SQLite, …) for several rounds, so the
/// noise of a shared machine falls on all of them; each ratio is the median of its rounds, with its spread. Each
/// configuration's processes send a small run first and the measured one a minute later, as a deployment's workers do.
/// </summary>
internal static class ScaleOutBenchmark
{
    /// <summary>
    /// The audience of the run each configuration's processes send first, unmeasured: a worker is a long-lived process,
    /// and its start-up work (compiling the templates, bringing the sending code to full speed) is no part of what a
    /// run costs it. Measured in a process's first run, that work fell inside the measured span: in a perf profile of a
    /// two-worker run, the runtime's background compilation took 14% of the machine's CPU.
    /// </summary>
    private const int WarmUpSubscribers = 1_000;

    private sealed record Configuration(string Label, int Workers)
    {
        public bool Postgres => Workers > 0;
    }

    /// <summary>
    /// One run's pace, from the ledger's first recorded message to its last, and the CPU the Digest processes, the
    /// PostgreSQL server and smtp-sink spent per 1,000 messages over that time (from /proc), with the cores all three
    /// kept busy: near the machine's count, the rate is what the machine's CPU allows at those costs.
    /// </summary>
    private sealed record Measurement(double Rate, int Sent, TimeSpan Elapsed, double WorkerCpuMs, double ServerCpuMs, double SinkCpuMs, double CoresBusy);

    /// <summary>
    /// <c>scaleout [--subscribers 50000] [--workers 1,2] [--connections 4] [--rounds 3] [--statements]</c>:
    /// <c>--connections</c> is the total over a configuration's processes; <c>--statements</c> prints the statements
    /// the PostgreSQL server spent its time on in the last round (pg_stat_statements).
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        int subscribers = DeliveryBenchmark.Option(args, "--subscribers", 50_000);
        int connections = DeliveryBenchmark.Option(args, "--connections", 4);
        int rounds = DeliveryBenchmark.Option(args, "--rounds", 3);
        bool statements = args.Contains("--statements");
        int at = Array.IndexOf(args, "--workers");
        int[] workerCounts = (at >= 0 && at + 1 < args.Length ? args[at + 1] : "1,2").Split(',').Select(int.Parse).ToArray();
        if (workerCounts.Any(w => w < 1 || connections % w != 0))
            throw new ArgumentException($"--connections {connections} must split evenly between the processes of every worker count ({string.Join(',', workerCounts)})");
        await using var sink = await SmtpSink.StartDiscardingAsync();
        await using var postgres = await PostgresCluster.StartAsync(durable: true, statementStatistics: statements);

        Configuration[] configurations = [new("SQLite, 1 process", 0), .. workerCounts.Select(w => new Configuration($"PostgreSQL, {w} worker(s)", w))];
        var results = configurations.ToDictionary(c => c, _ => new List<Measurement>());
        Console.WriteLine($"One edition, {subscribers:N0} subscribers, {connections} SMTP connections in total per configuration, " +
                          $"smtp-sink on loopback, PostgreSQL {postgres.Port} with fsync on; {rounds} rounds; load average {LoadAverage()}");
        for (int round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"round {round}");
            foreach (var configuration in configurations)
            {
                var measurement = await MeasureAsync(configuration, sink, postgres, connections, subscribers, statements && round == rounds);
                results[configuration].Add(measurement);
                Console.WriteLine($"  {configuration.Label,-26} {measurement.Rate,8:N0} msg/s  ({measurement.Sent:N0} in {measurement.Elapsed.TotalSeconds:0.0} s)" +
                                  $"  CPU per 1,000 messages: Digest {measurement.WorkerCpuMs:N0} ms" +
                                  (configuration.Postgres ? $", PostgreSQL server {measurement.ServerCpuMs:N0} ms" : "") +
                                  $", smtp-sink {measurement.SinkCpuMs:N0} ms; {measurement.CoresBusy:0.0} of {Environment.ProcessorCount} cores busy");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Medians of {rounds} rounds (min–max); load average at the end {LoadAverage()}");
        foreach (var configuration in configurations)
        {
            var m = results[configuration];
            Console.WriteLine($"  {configuration.Label,-26} {Spread(m.Select(r => r.Rate), "N0")} msg/s;  CPU per 1,000 messages: Digest " +
                              $"{Spread(m.Select(r => r.WorkerCpuMs), "N0")} ms" +
                              (configuration.Postgres ? $", PostgreSQL server {Spread(m.Select(r => r.ServerCpuMs), "N0")} ms" : "") +
                              $", smtp-sink {Spread(m.Select(r => r.SinkCpuMs), "N0")} ms; cores busy {Spread(m.Select(r => r.CoresBusy), "0.0")}");
        }
        var baseline = results[configurations[0]];
        foreach (var configuration in configurations.Skip(1))
        {
            // Each round's ratio is against the SQLite run of the same round, measured minutes apart at most.
            var ratios = results[configuration].Zip(baseline, (pg, sqlite) => pg.Rate / sqlite.Rate);
            Console.WriteLine($"PostgreSQL {configuration.Workers} worker(s) / SQLite single process: {Spread(ratios, "0.00")}x");
        }
    }

    private static string Spread(IEnumerable<double> values, string format)
    {
        var sorted = values.Order().ToList();
        double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        return $"{median.ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}–" +
               $"{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})";
    }

    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static async Task<Measurement> MeasureAsync(Configuration configuration, SmtpSink sink, PostgresCluster postgres, int connections,
        int subscribers, bool profile)
    {
        bool statements = profile && configuration.Postgres;
        var settings = new ServiceSettings(sink.Port)
        {
            Connections = connections / Math.Max(1, configuration.Workers),
            PostgresConnectionString = configuration.Postgres ? await postgres.CreateDatabaseAsync() : null,
            Cron = "* * * * *", BatchSize = 1000, ClaimTimeout = "00:00:30",
        };
        using var work = new TempFolder("digest-scaleout");
        await settings.WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await DeliveryBenchmark.SeedAsync(engine.Services, WarmUpSubscribers);
        if (statements)
            await PostgresStatements.PrepareAsync(settings.PostgresConnectionString!);

        var role = configuration.Postgres ? "Worker" : "All";
        var processes = Enumerable.Range(0, Math.Max(1, configuration.Workers))
            .Select(_ => RunningDigest.Start(work.Path, new Dictionary<string, string> { ["Process:Role"] = role })).ToList();
        try
        {
            await using var connection = await engine.Services.GetRequiredService<Database>().OpenAsync();
            // Every process's scheduler catches up the edition's latest minute at start: one run, cluster-wide, the
            // warm-up. The measured run is the next minute's, with the rest of the audience and new articles.
            long warmUp = await WaitAsync(processes, () => connection.ExecuteScalarAsync<long?>(
                "SELECT MIN(id) FROM runs WHERE status = @completed", new { completed = RunStatus.Completed }));
            if (await SentAsync(connection, warmUp) != WarmUpSubscribers)
                throw new InvalidOperationException($"the warm-up run {warmUp} was not sent to its {WarmUpSubscribers:N0} subscribers");
            await DeliveryBenchmark.SeedAsync(engine.Services, subscribers - WarmUpSubscribers, firstSubscriber: WarmUpSubscribers + 1, firstArticle: 11);

            // The CPU is counted from the measured run's first message on, as the rate is.
            long runId = 0;
            int sentBefore = await WaitAsync(processes, async () =>
            {
                runId = await connection.ExecuteScalarAsync<long?>("SELECT MIN(run_id) FROM deliveries WHERE run_id > @warmUp AND status = @sent",
                    new { warmUp, sent = DeliveryStatus.Sent }) ?? 0;
                return runId > 0 ? await SentAsync(connection, runId) : (int?)null;
            });
            var span = System.Diagnostics.Stopwatch.StartNew();
            double workerCpu = processes.Sum(p => ProcessCpu.Seconds(p.ProcessId));
            double serverCpu = configuration.Postgres ? ServerCpuSeconds(postgres.ServerProcessId) : 0;
            double sinkCpu = ProcessCpu.Seconds(sink.ProcessId);
            var serverBefore = statements ? ServerProcesses(postgres.ServerProcessId) : null;
            if (statements)
                await PostgresStatements.ResetAsync(settings.PostgresConnectionString!);
            // Polled by key: a poll that counted the ledger cost the server up to 80 ms per 1,000 messages while it sent.
            await WaitAsync(processes, async () => await connection.ExecuteScalarAsync<string>("SELECT status FROM runs WHERE id = @runId", new { runId })
                == RunStatus.Completed ? 1 : (int?)null);
            workerCpu = processes.Sum(p => ProcessCpu.Seconds(p.ProcessId)) - workerCpu;
            serverCpu = configuration.Postgres ? ServerCpuSeconds(postgres.ServerProcessId) - serverCpu : 0;
            sinkCpu = ProcessCpu.Seconds(sink.ProcessId) - sinkCpu;
            double coresBusy = (workerCpu + serverCpu + sinkCpu) / span.Elapsed.TotalSeconds;

            var (first, last) = await engine.Services.GetRequiredService<DeliveryLedger>().SentBetweenAsync(runId)
                ?? throw new InvalidOperationException("the run completed without sending");
            int sent = await SentAsync(connection, runId);
            if (sent != subscribers)
                throw new InvalidOperationException($"{sent:N0} of {subscribers:N0} subscribers were sent the run");
            // A figure is only the batch jobs' own if none failed and was made good by the minute's resume.
            foreach (var lines in processes.Select(p => p.Log.Split('\n')))
                for (int i = 0; i < lines.Length - 1; i++)
                    if (lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("warn:", StringComparison.Ordinal))
                        Console.WriteLine($"    logged: {lines[i].Trim()} {lines[i + 1].Trim()}");
            if (statements)
            {
                await PostgresStatements.PrintAsync(settings.PostgresConnectionString!, configuration.Label, sent - sentBefore);
                PrintServerProcesses(serverBefore!, ServerProcesses(postgres.ServerProcessId), sent - sentBefore);
            }
            double perThousand = 1000.0 / (sent - sentBefore);
            return new Measurement((sent - 1) / (last - first).TotalSeconds, sent, last - first, workerCpu * 1000 * perThousand,
                serverCpu * 1000 * perThousand, sinkCpu * 1000 * perThousand, coresBusy);
        }
        finally
        {
            foreach (var process in processes)
                await process.DisposeAsync();
        }
    }

    private static Task<int> SentAsync(System.Data.Common.DbConnection connection, long runId) =>
        connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM deliveries WHERE run_id = @runId AND status = @sent",
            new { runId, sent = DeliveryStatus.Sent });

    /// <summary>Polls <paramref name="check"/> until it gives a value, failing at once when a service process stops.</summary>
    internal static async Task<T> WaitAsync<T>(IReadOnlyList<RunningDigest> processes, Func<Task<T?>> check) where T : struct
    {
        var deadline = DateTime.UtcNow.AddMinutes(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await check() is { } value)
                return value;
            if (processes.FirstOrDefault(p => p.HasExited) is { } stopped)
                throw new InvalidOperationException($"a service process stopped: {stopped.Log}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"the run did not complete; the first process said:\n{processes[0].Log}");
    }

    /// <summary>The PostgreSQL server's CPU: the postmaster, its live backends, and the backends that have exited.</summary>
    private static double ServerCpuSeconds(int postmaster) =>
        ProcessCpu.Seconds(postmaster, reaped: true) + Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out int pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != postmaster)
            .Sum(pid =>
            {
                try
                {
                    return ProcessCpu.Parent(pid) == postmaster ? ProcessCpu.Seconds(pid) : 0;
                }
                catch (IOException)
                {
                    return 0; // exited meanwhile: counted in the postmaster's reaped children from now on
                }
            });

    /// <summary>The server's processes by title ("postgres: walwriter", a backend's "user db host state") with their CPU.</summary>
    private static Dictionary<int, (string Title, double Cpu)> ServerProcesses(int postmaster)
    {
        var found = new Dictionary<int, (string, double)>();
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid))
                continue;
            try
            {
                if (ProcessCpu.Parent(pid) != postmaster)
                    continue;
                string title = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
                found[pid] = (title, ProcessCpu.Seconds(pid));
            }
            catch (IOException)
            {
                // exited meanwhile
            }
        }
        return found;
    }

    /// <summary>Where the server's CPU went during the run, per process (a backend's title shows its last state).</summary>
    private static void PrintServerProcesses(Dictionary<int, (string Title, double Cpu)> before, Dictionary<int, (string Title, double Cpu)> after, int messages)
    {
        var spent = after.Select(p => (p.Value.Title, Cpu: p.Value.Cpu - (before.TryGetValue(p.Key, out var b) ? b.Cpu : 0)))
            .Where(p => p.Cpu > 0).OrderByDescending(p => p.Cpu);
        foreach (var (title, cpu) in spent)
            Console.WriteLine($"      {cpu * 1000 * 1000.0 / messages,6:N0} ms per 1,000 messages  {title}");
    }

    /// <summary>What the PostgreSQL server spent its time on, from pg_stat_statements: the profile behind the ledger's SQL.</summary>
    private static class PostgresStatements
    {
        public static async Task PrepareAsync(string connectionString)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }

        public static async Task ResetAsync(string connectionString)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.ExecuteAsync("SELECT pg_stat_statements_reset(); SELECT pg_stat_reset()");
        }

        public static async Task PrintAsync(string connectionString, string label, int messages)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            var rows = (await connection.QueryAsync<(long Calls, double TotalMs, double PlanMs, string Query)>("""
                SELECT calls, total_exec_time, total_plan_time, query FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                ORDER BY total_exec_time DESC
                """)).ToList();
            long commits = await connection.ExecuteScalarAsync<long>("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
            Console.WriteLine($"    {label}: {commits * 1000.0 / messages:N0} commits, {rows.Sum(r => r.Calls) * 1000.0 / messages:N0} statements and " +
                              $"{rows.Sum(r => r.TotalMs) * 1000 / messages:N0} ms of execution and {rows.Sum(r => r.PlanMs) * 1000 / messages:N0} ms of planning per 1,000 messages; the top ones:");
            foreach (var (calls, total, plan, query) in rows.Take(12))
            {
                string oneLine = string.Join(' ', query.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
                Console.WriteLine($"      {calls * 1000.0 / messages,8:N1} calls {total * 1000 / messages,8:N1} ms {plan * 1000 / messages,8:N1} ms planning  {oneLine[..Math.Min(150, oneLine.Length)]}");
            }
        }
    }
}

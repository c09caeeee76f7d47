using System.Diagnostics;
using System.Globalization;
using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>
/// A run whose readers chose topics against the same run without topics, to a discarding smtp-sink on loopback:
/// 16 articles over 8 topics (two each), and readers who each chose a random subset of the 8 (the empty subset
/// meaning everything), so a run has up to 256 kinds of copy. Rounds alternate which run goes first, so a machine
/// that warms up or gets busier halfway favours neither; the ratio is taken within each round.
/// </summary>
internal static class TopicsBenchmark
{
    private const int Topics = 8, ArticlesPerTopic = 2;
    private static readonly string[] TopicNames = ["energy", "transport", "housing", "health", "schools", "culture", "sport", "climate"];

    /// <summary><c>topics [--subscribers 100000] [--connections 4] [--rounds 3]</c></summary>
    public static async Task RunAsync(string[] args)
    {
        int subscribers = DeliveryBenchmark.Option(args, "--subscribers", 100_000);
        int connections = DeliveryBenchmark.Option(args, "--connections", 4);
        int rounds = DeliveryBenchmark.Option(args, "--rounds", 3);
        using var sink = DeliveryBenchmark.StartSink(out int port);
        string root = Path.Combine(Path.GetTempPath(), $"digest-bench-topics-{Environment.ProcessId}");
        try
        {
            Console.WriteLine($"Digest topics: {Topics * ArticlesPerTopic} articles over {Topics} topics, {subscribers:N0} subscribers, " +
                              $"{connections} connections, {rounds} rounds, smtp-sink on 127.0.0.1:{port}");
            Console.WriteLine($"load average at start: {DeliveryBenchmark.LoadAverage()}");
            var plain = new List<double>();
            var topical = new List<double>();
            for (int round = 1; round <= rounds; round++)
            {
                bool topicsFirst = round % 2 == 0;
                foreach (bool withTopics in topicsFirst ? new[] { true, false } : [false, true])
                {
                    var (rate, report) = await MeasureAsync(Path.Combine(root, $"{round}-{withTopics}"), subscribers, withTopics, port, connections);
                    (withTopics ? topical : plain).Add(rate);
                    Console.WriteLine($"  round {round}: {(withTopics ? "with topics   " : "without topics")} {rate,7:N0} msg/s" +
                                      $"  ({report.Sent:N0} sent, {report.Skipped:N0} skipped; load {DeliveryBenchmark.LoadAverage()})");
                }
            }
            Console.WriteLine($"  without topics: {DeliveryBenchmark.Spread(plain, "N0")} msg/s");
            Console.WriteLine($"  with topics:    {DeliveryBenchmark.Spread(topical, "N0")} msg/s");
            Console.WriteLine();
            Console.WriteLine($"topics vs no topics: {DeliveryBenchmark.Spread(topical.Zip(plain, (t, p) => t / p).ToList(), "P0")}   (goal >= 85%)");
            Console.WriteLine($"load average at end: {DeliveryBenchmark.LoadAverage()}");
        }
        finally
        {
            sink.Kill();
            await sink.WaitForExitAsync();
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Seeds a fresh store, then times the run from its start to its last copy recorded.</summary>
    private static async Task<(double Rate, SendReport Report)> MeasureAsync(string folder, int subscribers, bool withTopics, int port, int connections)
    {
        Directory.CreateDirectory(folder);
        // Both runs group by topic: the comparison is of the copies per reader, not of the sections.
        using var engine = await DeliveryBenchmark.EngineAsync(folder, port, connections,
            new Dictionary<string, string?> { ["Editions:daily:Sections:By"] = "Topic" });
        await SeedAsync(engine.Services, subscribers, withTopics);
        var clock = Stopwatch.StartNew();
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");
        var report = await engine.Services.GetRequiredService<RunSender>().SendAsync(run.Id);
        var elapsed = clock.Elapsed;
        if (!report.Completed || report.Failed + report.Retrying > 0 || report.Sent + report.Skipped != subscribers)
            throw new InvalidOperationException($"the run did not complete cleanly: {report}");
        return (report.Sent / elapsed.TotalSeconds, report);
    }

    /// <summary>
    /// The articles (two per topic) and the audience, each reader with a random subset of the topics when
    /// <paramref name="withTopics"/> (the same subsets in every round: a fixed seed), none otherwise.
    /// </summary>
    private static Task SeedAsync(IServiceProvider services, int subscribers, bool withTopics)
    {
        var random = new Random(14);
        return DeliveryBenchmark.SeedAsync(services, subscribers, Topics * ArticlesPerTopic, i => [TopicNames[i % Topics]],
            _ => withTopics && random.Next(1 << Topics) is var mask and > 0
                ? ArticleTopics.ToJson(Enumerable.Range(0, Topics).Where(t => (mask & (1 << t)) != 0).Select(t => TopicNames[t]).ToList())
                : null);
    }
}

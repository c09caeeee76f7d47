using System.Diagnostics;
using System.Text;
using Digest;
using Digest.Articles;
using Digest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>
/// Parse + dedupe + store on SQLite over generated articles (one in ten a re-worded duplicate): one commit per
/// article (the API), 100 per commit (a feed poll, the inbox), against parsing alone and an empty transaction as
/// baselines; then the inbox taking a bulk drop of files. The whole set runs several rounds in this one process and
/// the best of each is kept: on a shared machine the slowest rounds measure the neighbours, not Digest.
/// </summary>
internal static class IngestBenchmark
{
    private const double TargetPerSecond = 5_000;
    private const string Parse = "parse only (baseline)";
    private const string EmptyCommit = "open + empty write transaction (baseline)";
    private const string OneCommitEach = "parse + dedupe + store, one commit each (API)";
    private const string Batched = "parse + dedupe + store, 100 per commit (feeds)";
    private const string Inbox = "inbox: bulk drop until empty (100 per commit)";

    public static async Task RunAsync(string[] args)
    {
        int count = Option(args, "--articles", 5_000);
        int files = Option(args, "--files", 2_000);
        int rounds = Option(args, "--rounds", 3);
        var articles = Generate(count);
        Console.WriteLine($"ingest: {count:N0} generated articles ({articles.Sum(a => a.Length) / 1024:N0} KiB, every 10th a re-worded duplicate), "
            + $"{files:N0} inbox files, best of {rounds} rounds");

        await WarmUpAsync(articles);
        var best = new Dictionary<string, double>();
        for (int round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"round {round}");
            foreach (var (name, perSecond) in await RunRoundAsync(articles, files))
                best[name] = Math.Max(best.GetValueOrDefault(name), perSecond);
        }

        Console.WriteLine();
        Console.WriteLine($"best of {rounds} rounds:");
        foreach (var (name, perSecond) in best)
            Console.WriteLine($"  {name,-48} {perSecond,10:N0} /s");
        Console.WriteLine($"one commit each / parse only      : {best[OneCommitEach] / best[Parse]:P1}");
        Console.WriteLine($"one commit each / empty commit    : {best[OneCommitEach] / best[EmptyCommit]:P1}");
        Console.WriteLine($"100 per commit / one commit each  : {best[Batched] / best[OneCommitEach]:F2}x");
        Console.WriteLine($"inbox files / 100 per commit      : {best[Inbox] / best[Batched]:P1}");
        Console.WriteLine($"target {TargetPerSecond:N0} articles/s: 100 per commit {Verdict(best[Batched])}, inbox {Verdict(best[Inbox])}, "
            + $"one commit each {Verdict(best[OneCommitEach])}");
    }

    private static async Task<Dictionary<string, double>> RunRoundAsync(List<byte[]> articles, int files)
    {
        int count = articles.Count;
        var rates = new Dictionary<string, double>
        {
            [Parse] = await MeasureAsync(Parse, count, () =>
            {
                foreach (var bytes in articles)
                    ArticleParser.Parse(bytes);
                return Task.CompletedTask;
            }),
        };
        await using (var engine = await Engine.StartAsync())
        {
            var database = engine.Services.GetRequiredService<Database>();
            rates[EmptyCommit] = await MeasureAsync(EmptyCommit, count, async () =>
            {
                for (int i = 0; i < count; i++)
                {
                    await using var connection = await database.OpenAsync();
                    await using var write = await connection.BeginTransactionAsync();
                    await write.CommitAsync();
                }
            });
        }
        await using (var engine = await Engine.StartAsync())
        {
            var store = engine.Services.GetRequiredService<ArticleStore>();
            rates[OneCommitEach] = await MeasureAsync(OneCommitEach, count, async () =>
            {
                foreach (var bytes in articles)
                    await store.AddAsync(ArticleParser.Parse(bytes).Article!, new ArticleOrigin("benchmark"));
            });
            int stored = (await store.ListRecentAsync(int.MaxValue)).Count;
            Console.WriteLine($"    stored {stored:N0} of {count:N0} articles; the rest were recognised as duplicates");
        }
        await using (var engine = await Engine.StartAsync())
        {
            var store = engine.Services.GetRequiredService<ArticleStore>();
            rates[Batched] = await MeasureAsync(Batched, count, async () =>
            {
                foreach (var batch in articles.Chunk(100))
                    await store.AddManyAsync(batch.Select(b => (ArticleParser.Parse(b).Article!, new ArticleOrigin("benchmark"))));
            });
        }
        await using (var engine = await Engine.StartAsync())
        {
            var processor = engine.Services.GetRequiredService<InboxProcessor>();
            Directory.CreateDirectory(processor.InboxPath);
            for (int i = 0; i < files; i++)
                await File.WriteAllBytesAsync(Path.Combine(processor.InboxPath, $"article-{i:D5}.txt"), articles[i % count]);
            rates[Inbox] = await MeasureAsync(Inbox, files, async () =>
            {
                while (await processor.ProcessOnceAsync() > 0) { }
            });
            Console.WriteLine($"    inbox: {Directory.EnumerateFiles(processor.ProcessedPath).Count():N0} files processed, "
                + $"{Directory.EnumerateFiles(processor.InboxPath).Count():N0} left behind");
        }
        return rates;
    }

    private static string Verdict(double perSecond) => $"{(perSecond >= TargetPerSecond ? "met" : "MISSED")} ({perSecond:N0}/s)";

    /// <summary>The first use of each path pays for JIT and pool start-up; that is not what is measured.</summary>
    private static async Task WarmUpAsync(List<byte[]> articles)
    {
        await using var engine = await Engine.StartAsync();
        var store = engine.Services.GetRequiredService<ArticleStore>();
        foreach (var bytes in articles.Take(300))
            await store.AddAsync(ArticleParser.Parse(bytes).Article!, new ArticleOrigin("warm-up"));
        await store.AddManyAsync(articles.Skip(300).Take(300).Select(b => (ArticleParser.Parse(b).Article!, new ArticleOrigin("warm-up"))));
    }

    private static async Task<double> MeasureAsync(string name, int items, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        clock.Stop();
        double perSecond = items / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  {name,-48} {clock.Elapsed.TotalMilliseconds,9:N0} ms {perSecond,10:N0} /s");
        return perSecond;
    }

    /// <summary>Articles in the text format with the real files' shape; every 10th repeats an earlier story re-cased.</summary>
    private static List<byte[]> Generate(int count)
    {
        var random = new Random(42);
        string[] words = ["council", "harbour", "tram", "budget", "river", "school", "bridge", "library", "market", "solar",
            "ferry", "museum", "station", "park", "housing", "water", "energy", "festival", "clinic", "port"];
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[random.Next(words.Length)]));
        var texts = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            if (i % 10 == 9)
            {
                texts.Add(texts[random.Next(i)].ToUpperInvariant().Replace("PUBLISHED", "Published").Replace("HIGHLIGHTS", "Highlights")
                    .Replace("REWRITTEN ARTICLE", "Rewritten Article").Replace("SCENARIO ANALYSIS", "Scenario Analysis"));
                continue;
            }
            var text = new StringBuilder()
                .Append($"Story {i}: {Words(6)}\n")
                .Append($"Published {new DateOnly(2025, 1, 1).AddDays(i % 365):d MMMM yyyy}\n")
                .Append("Highlights\n");
            for (int h = 0; h < 4; h++)
                text.Append($"- {Words(14)}.\n");
            text.Append("-\nRewritten Article\n");
            for (int p = 0; p < 5; p++)
                text.Append(p % 2 == 1 ? $"{Words(4)}\n" : $"{Words(40)}.\n");
            text.Append("-\nScenario Analysis\n").Append($"{Words(30)}.\n");
            texts.Add(text.ToString());
        }
        return texts.Select(Encoding.UTF8.GetBytes).ToList();
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out int value) ? value : fallback;
    }

    /// <summary>The engine on a fresh SQLite file in a scratch folder, inbox settle time zero.</summary>
    private sealed class Engine(IHost host, string root) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public static async Task<Engine> StartAsync()
        {
            string root = Path.Combine(Path.GetTempPath(), $"digest-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(root);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = "data",
                ["Inbox:Path"] = "data/inbox",
                ["Inbox:SettleTime"] = "00:00:00",
            });
            builder.AddDigestEngine();
            var host = builder.Build();
            await host.Services.GetRequiredService<Database>().MigrateAsync();
            return new Engine(host, root);
        }

        public ValueTask DisposeAsync()
        {
            host.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}

using Digest;
using Digest.App.Jobs;
using Digest.Articles;
using Digest.Delivery;
using Digest.Subscribers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;

/// <summary>
/// Scheduler accuracy: from an edition's slot to its first message handed to the mail transport, over repeated
/// slots, on the real engine, scheduler and Hangfire server with default settings. A minute-by-minute edition
/// would take a minute per sample, so the service's clock runs a few seconds behind the next whole minute before
/// each sample (it still runs at real speed); the change is announced the way an operator's edit is, which makes
/// the scheduler read the clock again.
/// </summary>
internal static class ScheduleAccuracy
{
    private const int Audience = 50;

    public static async Task RunAsync(string[] args)
    {
        int samples = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
        string folder = Path.Combine(Path.GetTempPath(), $"digest-bench-schedule-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var clock = new ShiftedClock();
        var firstOut = new FirstMessageOut();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Storage:DataDirectory"] = Path.Combine(folder, "data"),
            ["Inbox:Path"] = Path.Combine(folder, "data", "inbox"),
            ["Delivery:PickupDirectory"] = Path.Combine(folder, "data", "outbox"),
            ["Rendering:TemplatesPath"] = Path.Combine(AppContext.BaseDirectory, "templates"),
            ["Editions:bench:Cron"] = "* * * * *",
            ["Editions:bench:TimeZone"] = "UTC",
            ["Editions:bench:CatchUpWindow"] = "00:00:00",
        });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddDigestEngine().AddDigestJobs();
        builder.Services.AddSingleton<PickupFolderTransport>();
        builder.Services.AddSingleton<IMailTransport>(sp => firstOut.Wrap(sp.GetRequiredService<PickupFolderTransport>()));
        using var host = builder.Build();
        await host.StartAsync();

        var subscribers = host.Services.GetRequiredService<SubscriberStore>();
        for (int i = 0; i < Audience; i++)
            await subscribers.AddConfirmedAsync($"reader{i}@example.org", $"Reader {i}", ["bench"]);
        var articles = host.Services.GetRequiredService<ArticleStore>();
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();

        var latencies = new List<double>();
        for (int sample = 0; sample < samples; sample++)
        {
            await articles.AddAsync(ArticleParser.Parse(Article(sample)).Article!, new ArticleOrigin("benchmark"));
            var slot = clock.PlaceNextMinuteAhead(TimeSpan.FromSeconds(1.5));
            var slotReal = clock.ToReal(slot);
            firstOut.Expect();
            configuration.Reload(); // the scheduler re-reads its settings and the clock, as after an operator's edit
            var sent = await firstOut.WaitAsync(TimeSpan.FromSeconds(30));
            double latency = (sent - slotReal).TotalMilliseconds;
            latencies.Add(latency);
            // The rest of the run goes out before the next sample, so samples do not overlap.
            while (firstOut.Sent < Audience * (sample + 1))
                await Task.Delay(20);
            Console.WriteLine($"slot {slot:HH:mm:ss} → first message out after {latency,7:F0} ms");
        }
        await host.StopAsync();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }

        latencies.Sort();
        double P(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        Console.WriteLine($"schedule accuracy over {samples} slots: p50 {P(0.50):F0} ms, p95 {P(0.95):F0} ms, max {latencies[^1]:F0} ms (target p95 < 2000 ms)");
    }

    private static string Article(int sample) => $"""
        Benchmark article {sample} for the scheduler
        Published 2026-01-15
        Highlights
        - Sample {sample} shows what a reader sees first.
        Rewritten Article
        Headline: Benchmark article {sample} for the scheduler
        The body of sample {sample}.
        """;

    /// <summary>Real time plus an offset the benchmark moves between samples; timers still run in real time.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        private long _offsetTicks;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

        public DateTimeOffset ToReal(DateTimeOffset shifted) => shifted.AddTicks(-Interlocked.Read(ref _offsetTicks));

        /// <summary>Shifts the clock so that the next whole minute is <paramref name="ahead"/> away; returns that minute.</summary>
        public DateTimeOffset PlaceNextMinuteAhead(TimeSpan ahead)
        {
            var now = GetUtcNow();
            var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(2);
            Interlocked.Add(ref _offsetTicks, (minute - ahead - now).Ticks);
            return minute;
        }
    }

    /// <summary>Notes the real time the first message of a new run has been handed over.</summary>
    private sealed class FirstMessageOut
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource<DateTimeOffset> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _latestRun, _waitingAfterRun;
        private int _sent;

        public int Sent { get { lock (_gate) return _sent; } }

        /// <summary>From now on, waits for the first message of a run later than any seen so far.</summary>
        public void Expect()
        {
            lock (_gate)
            {
                _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _waitingAfterRun = _latestRun;
            }
        }

        public Task<DateTimeOffset> WaitAsync(TimeSpan limit)
        {
            lock (_gate)
                return _first.Task.WaitAsync(limit);
        }

        public IMailTransport Wrap(IMailTransport inner) => new Recording(inner, this);

        private void Record(MimeMessage message, DateTimeOffset at)
        {
            // Message-IDs are "digest.{run}.{subscriber}@domain".
            long run = long.Parse((message.MessageId ?? "").Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
            lock (_gate)
            {
                _sent++;
                _latestRun = Math.Max(_latestRun, run);
                if (run > _waitingAfterRun)
                    _first.TrySetResult(at);
            }
        }

        private sealed class Recording(IMailTransport inner, FirstMessageOut owner) : IMailTransport
        {
            public int Concurrency => inner.Concurrency;

            public async Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
            {
                string reply = await inner.SendAsync(message, cancellationToken);
                owner.Record(message, DateTimeOffset.UtcNow);
                return reply;
            }
        }
    }
}

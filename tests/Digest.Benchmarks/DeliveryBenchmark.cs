using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Digest;
using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Digest.Storage;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;

/// <summary>
/// Digest's delivery against Postfix's smtp-sink on loopback (discarding), beside two baselines measured in the same
/// run over the same number of connections: Postfix's own smtp-source sending the same message, and a bare MailKit
/// loop sending that pre-built message. Also peak RSS at two audience sizes (each run in a fresh process, so the
/// peak is that run's) and the time from the run starting to the first message accepted.
/// </summary>
internal static class DeliveryBenchmark
{
    private const string SmtpSink = "/usr/sbin/smtp-sink";
    private const string SmtpSource = "/usr/sbin/smtp-source";
    private static string StorePrefix => $"digest-bench-{Environment.ProcessId}-";

    /// <summary><c>delivery [--subscribers 100000] [--large 1000000] [--connections 4] [--rounds 3]</c></summary>
    public static async Task RunAsync(string[] args)
    {
        int subscribers = Option(args, "--subscribers", 100_000);
        int large = Option(args, "--large", 1_000_000);
        int connections = Option(args, "--connections", 4);
        int rounds = Option(args, "--rounds", 3);
        var sink = StartSink(out int port);
        try
        {
            await CompareAsync(subscribers, large, connections, rounds, port, sink.Id);
        }
        finally
        {
            sink.Kill();
            await sink.WaitForExitAsync();
            sink.Dispose();
        }
    }

    private static async Task CompareAsync(int subscribers, int large, int connections, int rounds, int port, int sink)
    {
        try
        {
            await CompareInFoldersAsync(subscribers, large, connections, rounds, port, sink);
        }
        finally
        {
            // A million-subscriber store is a few hundred megabytes: never leave one behind.
            foreach (string folder in Directory.EnumerateDirectories(Path.GetTempPath(), StorePrefix + "*"))
                Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Rounds of Digest, smtp-source and the bare loop, one after the other, so a machine that warms up or gets busier
    /// halfway favours none of them; each figure is the median of its rounds, printed with the lowest and highest.
    /// Beside each rate, the CPU each message cost its sender and smtp-sink (<paramref name="sink"/>), and the cores
    /// they kept busy: when those are all the machine has, the ratios are ratios of CPU per message.
    /// </summary>
    private static async Task CompareInFoldersAsync(int subscribers, int large, int connections, int rounds, int port, int sink)
    {
        Console.WriteLine($"Digest delivery: 10 articles, {subscribers:N0} subscribers, {connections} connections, {rounds} rounds, smtp-sink on 127.0.0.1:{port}");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        var digest = new List<DigestResult>();
        var digestSenders = new List<Sender>();
        var source = new List<Sender>();
        var bare = new List<Sender>();
        for (int round = 1; round <= rounds; round++)
        {
            var run = await WithSinkCpuAsync(sink, subscribers, () => MeasureDigestAsync(subscribers, port, connections));
            digest.Add(run.Result);
            digestSenders.Add(run.Sender);
            source.Add((await WithSinkCpuAsync(sink, subscribers, () => SmtpSourceAsync(run.Result.SampleFile, subscribers, port, connections))).Sender);
            bare.Add((await WithSinkCpuAsync(sink, subscribers, () => BareMailKitAsync(run.Result.SampleFile, subscribers, port, connections))).Sender);
            Console.WriteLine($"  round {round}: Digest {run.Sender.Rate,7:N0}  smtp-source {source[^1].Rate,7:N0}  bare MailKit {bare[^1].Rate,7:N0} msg/s" +
                              $"  (message {run.Result.MessageBytes:N0} bytes; load {LoadAverage()})");
            Console.WriteLine($"           CPU per message, sender + smtp-sink: Digest {run.Sender.Costs}, smtp-source {source[^1].Costs}, bare MailKit {bare[^1].Costs}");
        }
        var rates = digest.Select(d => d.Rate).ToList();
        Console.WriteLine($"  Digest run:        {Spread(rates, "N0")} msg/s;  {CpuSpread(digestSenders)}");
        Console.WriteLine($"  smtp-source:       {Spread(source.Select(s => s.Rate).ToList(), "N0")} msg/s;  {CpuSpread(source)}  (same message file, {connections} sessions, -d)");
        Console.WriteLine($"  bare MailKit loop: {Spread(bare.Select(s => s.Rate).ToList(), "N0")} msg/s;  {CpuSpread(bare)}  (same message, CRLF, Nagle off, one client per connection)");

        DigestResult? big = null;
        if (large > 0)
        {
            Console.WriteLine($"Digest delivery: {large:N0} subscribers (peak memory)");
            big = await MeasureDigestAsync(large, port, connections);
            Console.WriteLine($"  Digest run:        {big.Rate,10:N0} msg/s  ({big.Sent:N0} in {big.Elapsed.TotalSeconds:0.0} s)");
        }

        Console.WriteLine();
        // Each round's ratio is taken within the round, where the machine's load was the same for all three.
        Console.WriteLine($"throughput vs smtp-source:      {Spread(rates.Zip(source, (d, s) => d / s.Rate).ToList(), "P0")}   (goal >= 65%)");
        Console.WriteLine($"throughput vs bare MailKit:     {Spread(rates.Zip(bare, (d, b) => d / b.Rate).ToList(), "P0")}   (goal >= 85%)");
        // What Digest could spend on a message and still meet each goal, with the cores it kept busy and the sink's share
        // as they were: the budget a change would have to reach on this machine.
        Console.WriteLine($"Digest's CPU per message, and what each goal leaves it at the cores it kept busy: {Spread(digestSenders.Select(d => d.Cpu).ToList(), "N0")} µs; " +
                          $"{Spread(digestSenders.Zip(source, (d, s) => d.BudgetFor(0.65 * s.Rate)).ToList(), "N0")} µs for 65% of smtp-source, " +
                          $"{Spread(digestSenders.Zip(bare, (d, b) => d.BudgetFor(0.85 * b.Rate)).ToList(), "N0")} µs for 85% of the bare loop");
        var first = digest.Select(d => d.FirstMessage.TotalMilliseconds).ToList();
        Console.WriteLine($"time to first message:          {Spread(first, "N0")} ms{(big is null ? "" : $" ({large:N0}: {big.FirstMessage.TotalMilliseconds:N0} ms)")}");
        if (big is not null)
        {
            double peak = Median(digest.Select(d => d.PeakRssMb).ToList());
            Console.WriteLine($"peak RSS {subscribers:N0} / {large:N0}: {peak:N0} MB / {big.PeakRssMb:N0} MB = {big.PeakRssMb / peak:0.00}x   (goal <= 1.2x, < 300 MB)");
        }
        Console.WriteLine($"load average at end: {LoadAverage()}");
    }

    /// <summary>
    /// A sender's rate, the CPU (µs) each message cost it and smtp-sink, and the cores the two kept busy while it sent
    /// (the sink is busy with nothing else meanwhile).
    /// </summary>
    private sealed record Sender(double Rate, double Cpu, double SinkCpu)
    {
        public double CoresBusy => (Cpu + SinkCpu) * Rate / 1e6;

        public string Costs => $"{Cpu:N0} + {SinkCpu:N0} µs ({CoresBusy:0.0} cores)";

        /// <summary>The CPU per message this sender could spend and still send at <paramref name="rate"/> on the cores it kept busy.</summary>
        public double BudgetFor(double rate) => CoresBusy * 1e6 / rate - SinkCpu;
    }

    private static string CpuSpread(List<Sender> senders) =>
        $"CPU per message {Spread(senders.Select(s => s.Cpu).ToList(), "N0")} µs, smtp-sink's {Spread(senders.Select(s => s.SinkCpu).ToList(), "N0")} µs, " +
        $"cores busy {Spread(senders.Select(s => s.CoresBusy).ToList(), "0.0")}";

    /// <summary>Runs a sender of <paramref name="messages"/> and counts the sink's CPU over it.</summary>
    private static async Task<(T Result, Sender Sender)> WithSinkCpuAsync<T>(int sink, int messages, Func<Task<T>> send) where T : ISent
    {
        double before = ProcessCpu.Seconds(sink);
        var result = await send();
        return (result, new Sender(result.Rate, result.Cpu, (ProcessCpu.Seconds(sink) - before) * 1e6 / messages));
    }

    /// <summary>What a sender measured of itself: its rate and its CPU per message (µs).</summary>
    private interface ISent
    {
        double Rate { get; }
        double Cpu { get; }
    }

    private sealed record Baseline(double Rate, double Cpu) : ISent;

    /// <summary>"median (lowest–highest)".</summary>
    internal static string Spread(List<double> values, string format) =>
        $"{Median(values).ToString(format)} ({values.Min().ToString(format)}–{values.Max().ToString(format)})";

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private sealed record DigestResult(int Sent, TimeSpan Elapsed, TimeSpan FirstMessage, double PeakRssMb, long MessageBytes, string SampleFile,
        double Cpu) : ISent
    {
        public double Rate => Sent / Elapsed.TotalSeconds;
    }

    /// <summary>Seeds a fresh store here, then sends its run in a child process whose peak RSS is the run's alone.</summary>
    private static async Task<DigestResult> MeasureDigestAsync(int subscribers, int port, int connections)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"{StorePrefix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        using (var engine = await EngineAsync(folder, port, connections))
            await SeedAsync(engine.Services, subscribers);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        foreach (string argument in new[] { typeof(DeliveryBenchmark).Assembly.Location, "delivery-send", folder, port.ToString(), connections.ToString() })
            start.ArgumentList.Add(argument);
        using var child = Process.Start(start)!;
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        string[] fields = output.Trim().Split('\n')[^1].Split(' ');
        if (child.ExitCode != 0 || fields.Length != 6)
            throw new InvalidOperationException($"the sending process failed ({child.ExitCode}): {output}");
        var f = fields.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return new DigestResult((int)f[0], TimeSpan.FromMilliseconds(f[1]), TimeSpan.FromMilliseconds(f[2]), f[3] / 1024, (long)f[4],
            Path.Combine(folder, "sample.eml"), f[5]);
    }

    /// <summary><c>delivery-seed FOLDER SUBSCRIBERS</c>: a store ready for <c>delivery-send FOLDER PORT CONNECTIONS</c>.</summary>
    public static async Task SeedFolderAsync(string[] args)
    {
        string folder = Path.GetFullPath(args[0]);
        Directory.CreateDirectory(folder);
        using var engine = await EngineAsync(folder, port: 25, connections: 1);
        await SeedAsync(engine.Services, int.Parse(args[1], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The child: starts the run, sends it, prints "sent elapsedMs firstMessageMs peakRssKb messageBytes cpuMicrosecondsPerMessage"
    /// (the CPU from the run's start on, as the time is: the process's start-up is no part of a run's cost).
    /// </summary>
    public static async Task SendChildAsync(string[] args)
    {
        string folder = args[0];
        int port = int.Parse(args[1], CultureInfo.InvariantCulture), connections = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var engine = await EngineAsync(folder, port, connections);
        var transport = (FirstMessageClock)engine.Services.GetRequiredService<IMailTransport>();
        var clock = Stopwatch.StartNew();
        long workItems = ThreadPool.CompletedWorkItemCount;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        transport.Start();
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");
        var report = await engine.Services.GetRequiredService<RunSender>().SendAsync(run.Id);
        var elapsed = clock.Elapsed;
        // For profiling: what each message cost the process (its CPU, and the hand-offs between threads that cost it).
        double cpuPerMessage = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / report.Sent;
        await Console.Error.WriteLineAsync(FormattableString.Invariant(
            $"{cpuPerMessage:0} µs CPU and {(double)(ThreadPool.CompletedWorkItemCount - workItems) / report.Sent:0.00} thread-pool work items per message"));
        if (!report.Completed || report.Failed + report.Retrying > 0)
            throw new InvalidOperationException($"the run did not complete cleanly: {report}");
        await File.WriteAllBytesAsync(Path.Combine(folder, "sample.eml"), transport.Sample!);
        Console.WriteLine(string.Join(' ', report.Sent, elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
            transport.FirstAccepted.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
            PeakRssKb(), transport.Sample!.Length, cpuPerMessage.ToString("0", CultureInfo.InvariantCulture)));
    }

    /// <summary>The engine on a store in <paramref name="folder"/>, sending to the sink; <paramref name="settings"/> on top.</summary>
    internal static async Task<IHost> EngineAsync(string folder, int port, int connections, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Storage:DataDirectory"] = Path.Combine(folder, "data"),
            ["Rendering:TemplatesPath"] = Path.Combine(AppContext.BaseDirectory, "templates"),
            ["Site:PublicUrl"] = "https://digest.example.org",
            ["Editions:daily:Title"] = "The Daily Digest",
            ["Editions:daily:Cron"] = "0 7 1 1 *",
            ["Editions:daily:TimeZone"] = "Europe/Berlin",
            ["Delivery:Transport"] = "Smtp",
            ["Delivery:FromAddress"] = "digest@news.example.org",
            ["Delivery:Smtp:Host"] = "127.0.0.1",
            ["Delivery:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Delivery:Smtp:Security"] = "None",
            ["Delivery:Smtp:Connections"] = connections.ToString(CultureInfo.InvariantCulture),
        });
        builder.AddDigestEngine();
        builder.Services.AddSingleton<IMailTransport>(sp => new FirstMessageClock(ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp)));
        var host = builder.Build();
        await host.Services.PrepareDigestAsync();
        return host;
    }

    /// <summary>
    /// The articles (ten unless told; <paramref name="articleTopics"/> gives the i-th its topics) and the audience
    /// (<paramref name="readerTopics"/> gives the i-th reader's choice as stored, JSON or null), written straight to
    /// the store in one transaction each.
    /// </summary>
    internal static async Task SeedAsync(IServiceProvider services, int subscribers, int count = 10,
        Func<int, IReadOnlyList<string>>? articleTopics = null, Func<int, string?>? readerTopics = null, int firstSubscriber = 1,
        int firstArticle = 1)
    {
        // The audience before the articles: a scheduled run that starts in between finds all of it.
        string now = Clock.Format(DateTimeOffset.UtcNow);
        await using (var connection = await services.GetRequiredService<Database>().OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("INSERT INTO subscribers (email, name, status, created_at, topics) VALUES (@Email, @Name, 'confirmed', @now, @Topics)",
                Enumerable.Range(firstSubscriber, subscribers)
                    .Select(i => new { Email = $"reader{i}@example.com", Name = $"Reader {i}", now, Topics = readerTopics?.Invoke(i) }),
                transaction);
            await connection.ExecuteAsync("""
                INSERT INTO subscriptions (subscriber_id, edition, status, updated_at)
                SELECT id, 'daily', 'confirmed', @now FROM subscribers WHERE id NOT IN (SELECT subscriber_id FROM subscriptions)
                """, new { now }, transaction);
            await transaction.CommitAsync();
        }
        var articles = services.GetRequiredService<ArticleStore>();
        for (int i = firstArticle; i < firstArticle + count; i++)
        {
            var article = ArticleParser.Parse(ArticleText(i)).Article ?? throw new InvalidOperationException("article does not parse");
            await articles.AddAsync(article with { Topics = articleTopics?.Invoke(i) ?? [] }, new ArticleOrigin("benchmark"));
        }
    }

    private static string ArticleText(int i) => $"""
        Riverside Tram Line, Part {i}: Council Approves Funding After Decade of Debate
        Published 14 March 2026
        Highlights
        - The council voted 31 to 9 to fund stage {i} of a 12 km tram line along the east bank.
        - Construction starts in 2027; the first trams run "by late 2030" and cost €410m.
        - Shop owners on Canal Street fear two years of roadworks.
        Rewritten Article
        Headline: Council Says Yes to Riverside Tram, Part {i}
        After ten years of studies, the city council approved the Riverside tram line on Thursday, ending one of the longest transport debates in the city's recent history.
        The line will be paid for by a mix of regional grants and municipal bonds. Officials said construction would begin in spring 2027.
        -
        Scenario Analysis
        If the schedule holds, commuters on the east bank could save up to twenty minutes a day by 2031.
        """;

    /// <summary>smtp-source's rate and CPU per message, the latter as bash's <c>times</c> reports it for its child.</summary>
    private static async Task<Baseline> SmtpSourceAsync(string messageFile, int messages, int port, int connections)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-c", "\"$0\" \"$@\" || exit; times", SmtpSource, "-d", "-s", connections.ToString(), "-m", messages.ToString(),
                     "-F", messageFile, "-f", "digest@news.example.org", "-t", "reader@example.com", $"127.0.0.1:{port}" })
            start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        double rate = messages / clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"smtp-source failed: {error}");
        // The last line of "times" is the children's user and system time: "0m1.234s 0m0.567s".
        double cpu = (await output).Trim().Split('\n')[^1].Split(' ').Sum(TimesSeconds);
        return new Baseline(rate, cpu * 1e6 / messages);
    }

    private static double TimesSeconds(string time)
    {
        int m = time.IndexOf('m');
        return int.Parse(time[..m], CultureInfo.InvariantCulture) * 60 + double.Parse(time[(m + 1)..^1], CultureInfo.InvariantCulture);
    }

    /// <summary><c>delivery-bare MESSAGE PORT CONNECTIONS COUNT</c>: prints the bare loop's rate in msg/s.</summary>
    public static async Task BareChildAsync(string[] args)
    {
        int[] n = args[1..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var bare = await BareMailKitAsync(args[0], n[2], n[0], n[1]);
        Console.WriteLine(FormattableString.Invariant($"{bare.Rate:0} msg/s, {bare.Cpu:0} µs CPU per message"));
    }

    /// <summary>The bare loop's rate and this process's CPU per message while it ran (the process does nothing else meanwhile).</summary>
    private static async Task<Baseline> BareMailKitAsync(string messageFile, int messages, int port, int connections)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        // A message per connection: MimeKit's messages are not safe to send from several threads at once (sharing
        // one, a send now and then found no sender while another connection was preparing it).
        var built = new List<MimeMessage>();
        for (int c = 0; c < connections; c++)
            built.Add(await MimeMessage.LoadAsync(messageFile));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            var message = built[c];
            using var client = new SmtpClient();
            // Nagle off, as any loop tuned for bulk SMTP has it (and as Digest's pool does).
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, port);
            await client.ConnectAsync(socket, "127.0.0.1", port, SecureSocketOptions.None);
            for (int i = c; i < messages; i += connections)
                await client.SendAsync(message);
            await client.DisconnectAsync(true);
        })));
        double rate = messages / clock.Elapsed.TotalSeconds;
        return new Baseline(rate, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / messages);
    }

    internal static Process StartSink(out int port)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo(SmtpSink) { RedirectStandardError = true };
        foreach (string argument in new[] { "-u", "nobody", $"127.0.0.1:{port}", "1024" })
            start.ArgumentList.Add(argument);
        var sink = Process.Start(start) ?? throw new InvalidOperationException($"{SmtpSink} did not start (Debian package postfix)");
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return sink;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException("smtp-sink did not listen");
    }

    private static long PeakRssKb() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    internal static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Notes when the first message was accepted, and keeps it as the sample the baselines send.</summary>
    private sealed class FirstMessageClock(IMailTransport inner) : IMailTransport
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _first;

        public TimeSpan FirstAccepted { get; private set; }

        /// <summary>The run starts now: the first message is timed from here.</summary>
        public void Start() => _clock.Restart();
        public byte[]? Sample { get; private set; }
        public int Concurrency => inner.Concurrency;

        public Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken) => SendAsync(message, null, cancellationToken);

        /// <summary>With the run's per-message return path, as the service sends it.</summary>
        public async Task<string> SendAsync(MimeMessage message, MailboxAddress? returnPath, CancellationToken cancellationToken)
        {
            string reply = await inner.SendAsync(message, returnPath, cancellationToken);
            if (Interlocked.Exchange(ref _first, 1) == 0)
            {
                FirstAccepted = _clock.Elapsed;
                // With CRLF line ends, as it went on the wire: the baselines send these very bytes.
                using var bytes = new MemoryStream();
                await message.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, bytes, cancellationToken);
                Sample = bytes.ToArray();
            }
            return reply;
        }
    }
}

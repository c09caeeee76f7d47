using System.CommandLine;
using Digest.Delivery;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.App.Cli;

/// <summary>
/// Operator commands (<c>dotnet run --project src/Digest.App -- subscribers add …</c>). Each builds the engine
/// on the same settings and store as the service, does its one thing and exits.
/// </summary>
internal static class DigestCli
{
    private static readonly string[] Commands = ["subscribers", "send", "editions", "runs", "users", "feedback"];

    public static bool Handles(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Digest: scheduled email digests of your articles.")
        {
            SubscriberCommands.Create(),
            SendCommand.Create(),
            RunsCommand.Create(),
            EditionsCommand.Create(),
            UsersCommand.Create(),
            FeedbackCommand.Create(),
        };
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>The engine with its store ready, for one command.</summary>
    public static async Task<IHost> StartEngineAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        // A command prints its own result; only warnings and errors from the engine are worth showing beside it.
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", "Warning")]);
        builder.AddDigestEngine();
        var host = builder.Build();
        // Reading every validated setting up front gives the same clear errors the service gives at start.
        _ = host.Services.GetRequiredService<IOptions<EditionsOptions>>().Value;
        _ = host.Services.GetRequiredService<IOptions<Delivery.DeliveryOptions>>().Value;
        await host.Services.PrepareDigestAsync(cancellationToken);
        return host;
    }
}

internal static class SubscriberCommands
{
    public static Command Create()
    {
        var email = new Argument<string>("email") { Description = "The subscriber's email address" };
        var name = new Option<string>("--name") { Description = "The subscriber's name, used in the greeting" };
        var editions = new Option<string[]>("--edition") { Description = "An edition to subscribe to (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var timeZone = new Option<string>("--time-zone") { Description = "The subscriber's IANA time zone, for editions delivered at a local hour (e.g. America/New_York)" };
        var add = new Command("add", "Add a confirmed subscriber") { email, name, editions, timeZone };
        add.SetAction(async (result, cancellationToken) =>
        {
            string? address = EmailAddress.Normalise(result.GetValue(email), out string? problem);
            if (address is null)
            {
                Console.Error.WriteLine($"Cannot add subscriber: {problem}.");
                return 1;
            }
            string? zone = result.GetValue(timeZone);
            if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                Console.Error.WriteLine($"Cannot add subscriber: --time-zone '{zone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York).");
                return 1;
            }
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            var configured = host.Services.GetRequiredService<IOptions<EditionsOptions>>().Value;
            var unknown = (result.GetValue(editions) ?? []).Where(e => !configured.ContainsKey(e)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"Cannot add subscriber: no edition named {string.Join(", ", unknown)}. Editions: {string.Join(", ", configured.Keys)}.");
                return 1;
            }
            var store = host.Services.GetRequiredService<SubscriberStore>();
            var subscriber = await store.AddConfirmedAsync(address, result.GetValue(name) ?? "", result.GetValue(editions) ?? [], cancellationToken);
            if (zone is not null)
                await store.SetTimeZoneAsync(subscriber.Id, zone, cancellationToken);
            Console.WriteLine($"Subscriber {subscriber.Id} <{subscriber.Email}> confirmed for {string.Join(", ", result.GetValue(editions) ?? [])}.");
            return 0;
        });

        var list = new Command("list", "List subscribers");
        list.SetAction(async (_, cancellationToken) =>
        {
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            foreach (var subscriber in await host.Services.GetRequiredService<SubscriberStore>().ListAsync(cancellationToken))
                Console.WriteLine($"{subscriber.Id,6}  {subscriber.Status,-12}  {subscriber.Email}  {subscriber.Name}");
            return 0;
        });

        return new Command("subscribers", "Manage subscribers") { add, list };
    }
}

internal static class SendCommand
{
    public static Command Create()
    {
        var edition = new Argument<string>("edition") { Description = "The edition to send" };
        var now = new Option<bool>("--now") { Description = "Send immediately instead of waiting for the schedule", Required = true };
        var send = new Command("send", "Run an edition now: compose the new articles and send them to its subscribers") { edition, now };
        send.SetAction(async (result, cancellationToken) =>
        {
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            try
            {
                var run = await host.Services.GetRequiredService<EditionRunner>().StartNowAsync(result.GetValue(edition)!, cancellationToken);
                if (run.Status == RunStatus.AwaitingApproval)
                {
                    // The running service's resume job tells the editors (it knows them; this command does not).
                    Console.WriteLine($"Run {run.Id} awaits an editor's approval (Review: Required): {host.Services.GetRequiredService<ReviewNotice>().ReviewUrl(run.Id)}");
                    return 0;
                }
                if (run.Status != RunStatus.Sending)
                {
                    Console.WriteLine("No new articles since the edition's previous run: nothing sent.");
                    return 0;
                }
                return await RunsCommand.SendWithProgressAsync(host, run.Id, cancellationToken);
            }
            catch (UnknownEditionException error)
            {
                Console.Error.WriteLine(error.Message);
                return 1;
            }
        });
        return send;
    }
}

internal static class RunsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "Show the most recent runs and their progress");
        list.SetAction(async (_, cancellationToken) =>
        {
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            foreach (var run in await host.Services.GetRequiredService<RunMonitor>().RecentAsync(20, cancellationToken))
                Console.WriteLine(run.Line());
            return 0;
        });

        var showId = RunId();
        var show = new Command("show", "Show a run's progress and the recipients it could not reach, with the server's reply") { showId };
        show.SetAction(async (result, cancellationToken) =>
        {
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            long runId = result.GetValue(showId);
            if (await host.Services.GetRequiredService<RunMonitor>().GetAsync(runId, cancellationToken) is not { } progress)
                return NoSuchRun(runId);
            Console.WriteLine(progress.Line());
            foreach (var held in await host.Services.GetRequiredService<RunMonitor>().HeldAsync(runId, progress.Edition, cancellationToken))
                Console.WriteLine($"  {held}");
            foreach (var failed in await host.Services.GetRequiredService<DeliveryLedger>().FailedAsync(runId, 1000, cancellationToken))
                Console.WriteLine($"  {failed.Status,-6}  {failed.Email}  after {failed.Attempts} attempt(s): {failed.LastReply}");
            await FeedbackCommand.PrintRunAsync(host, runId, cancellationToken);
            return 0;
        });

        var resendId = RunId();
        var resend = new Command("resend", "Send a run again to the recipients it failed (suppressed addresses stay skipped)") { resendId };
        resend.SetAction(async (result, cancellationToken) =>
        {
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            long runId = result.GetValue(resendId);
            if (await host.Services.GetRequiredService<RunMonitor>().GetAsync(runId, cancellationToken) is null)
                return NoSuchRun(runId);
            int reopened = await host.Services.GetRequiredService<DeliveryLedger>().ReopenFailedAsync(runId, cancellationToken);
            Console.WriteLine($"Run {runId}: resending to {reopened} failed recipient(s).");
            return await SendWithProgressAsync(host, runId, cancellationToken);
        });

        return new Command("runs", "Inspect runs, their failed recipients, and resend to them") { list, show, resend };
    }

    /// <summary>Sends the run in this process, redrawing a progress line from the ledger twice a second.</summary>
    public static async Task<int> SendWithProgressAsync(IHost host, long runId, CancellationToken cancellationToken)
    {
        var monitor = host.Services.GetRequiredService<RunMonitor>();
        var sending = host.Services.GetRequiredService<RunSender>().SendAsync(runId, cancellationToken);
        bool redraw = !Console.IsOutputRedirected;
        while (await Task.WhenAny(sending, Task.Delay(500, cancellationToken)) != sending)
            if (redraw && await monitor.GetAsync(runId, cancellationToken) is { } progress)
                Console.Write($"\r{Bar(progress.Done)} {progress.Line()}\u001b[K");
        var report = await sending;
        if (redraw)
            Console.WriteLine();
        Console.WriteLine($"Run {report.RunId}: {report.Sent} sent, {report.Failed} failed, {report.Retrying} to retry, {report.Skipped} skipped.");
        if (report.Alert is { } alert)
        {
            Console.Error.WriteLine($"Nothing more can be sent until this is fixed: {alert}.");
            Console.Error.WriteLine("The run waits for the fix; its recipients are not charged an attempt, and the service resumes it once the setting is right.");
            return ExitCodes.RelayRefused;
        }
        if (report.AwaitingServer)
            Console.Error.WriteLine("No SMTP server could be reached: the rest of the run waits for one, its recipients not charged an attempt, " +
                                    "and the service sends it once a server answers.");
        if (report.Failed > 0 || report.Retrying > 0)
            Console.WriteLine($"See who and why with: runs show {report.RunId}");
        if (report is { Sent: 0, Retrying: > 0 })
        {
            Console.Error.WriteLine($"Nothing was delivered: every recipient is waiting for a retry (see runs show {report.RunId}).");
            return ExitCodes.RecipientsFailed;
        }
        return report is { Failed: > 0 } ? ExitCodes.RecipientsFailed : 0;
    }

    private static string Bar(double done)
    {
        int filled = (int)Math.Round(Math.Clamp(done, 0, 1) * 20);
        return $"[{new string('#', filled)}{new string('.', 20 - filled)}]";
    }

    private static Argument<long> RunId() => new("run") { Description = "The run's number (see: runs list)" };

    private static int NoSuchRun(long runId)
    {
        Console.Error.WriteLine($"There is no run {runId}. See: runs list");
        return 1;
    }
}

internal static class EditionsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "Show each edition's schedule and its next five run times");
        list.SetAction(async (_, cancellationToken) =>
        {
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow;
            foreach (var (name, options) in host.Services.GetRequiredService<IOptions<EditionsOptions>>().Value)
            {
                var schedule = new EditionSchedule(options);
                Console.WriteLine($"{name}: {schedule.Description} (cron '{options.Cron}')");
                foreach (string next in schedule.NextShown(now, 5))
                    Console.WriteLine($"    {next}");
            }
            return 0;
        });
        return new Command("editions", "Inspect editions") { list };
    }
}

using System.CommandLine;
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
    private static readonly string[] Commands = ["subscribers", "send", "editions", "users"];

    public static bool Handles(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Digest: scheduled email digests of your articles.")
        {
            SubscriberCommands.Create(),
            SendCommand.Create(),
            EditionsCommand.Create(),
            UsersCommand.Create(),
        };
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception error) when (StartupErrors.Describe(error) is { } message)
        {
            Console.Error.WriteLine("Digest cannot run that command:");
            Console.Error.WriteLine(message);
            return 2;
        }
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
        var add = new Command("add", "Add a confirmed subscriber") { email, name, editions };
        add.SetAction(async (result, cancellationToken) =>
        {
            string? address = EmailAddress.Normalise(result.GetValue(email), out string? problem);
            if (address is null)
            {
                Console.Error.WriteLine($"Cannot add subscriber: {problem}.");
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
            var subscriber = await host.Services.GetRequiredService<SubscriberStore>()
                .AddConfirmedAsync(address, result.GetValue(name) ?? "", result.GetValue(editions) ?? [], cancellationToken);
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
            var jobs = host.Services.GetRequiredService<EditionJobs>();
            try
            {
                var report = await jobs.SendNowAsync(result.GetValue(edition)!, cancellationToken);
                Console.WriteLine(report is null
                    ? "No new articles since the edition's previous run: nothing sent."
                    : $"Run {report.RunId}: {report.Sent} sent, {report.Failed} failed, {report.Retrying} to retry, {report.Skipped} skipped.");
                return report is { Failed: > 0 } ? 3 : 0;
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
                Console.WriteLine($"{name}: '{options.Cron}' in {options.TimeZone}");
                foreach (var next in schedule.Next(now, 5))
                    Console.WriteLine($"    {TimeZoneInfo.ConvertTime(next, schedule.TimeZone):ddd yyyy-MM-dd HH:mm zzz}");
            }
            return 0;
        });
        return new Command("editions", "Inspect editions") { list };
    }
}

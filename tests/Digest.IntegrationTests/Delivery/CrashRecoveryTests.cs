using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>The real service process, killed with SIGKILL in the middle of a run on SQLite, and started again.</summary>
public sealed class CrashRecoveryTests
{
    private const int Audience = 600;
    private const int Connections = 2;

    [Fact]
    public async Task Service_KilledMidRun_ResumesOnRestart_AndRepeatsOnlyInFlightMessagesWithSameMessageId()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var work = new TempFolder("digest-crash");
        await WriteSettingsAsync(work.Path, sink.Port);
        using var engine = await EngineAsync(work.Path);
        await SeedAsync(engine.Services, Audience);
        // Started here, sent by the service: on start it resumes every unfinished run from the ledger.
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");

        int receivedAtKill;
        var log = new StringBuilder();
        using (var first = StartService(work.Path, log))
        {
            await WaitForMessagesAsync(sink, Audience / 4, first, log);
            first.Kill(); // SIGKILL: no shutdown, no flushing, exactly like kill -9
            await first.WaitForExitAsync();
            receivedAtKill = sink.Messages().Count;
        }
        using (var second = StartService(work.Path, log))
        {
            try
            {
                await WaitForCompletionAsync(engine.Services, run.Id, TimeSpan.FromSeconds(90));
            }
            finally
            {
                second.Kill();
                await second.WaitForExitAsync();
            }
        }

        Assert.InRange(receivedAtKill, 1, Audience - 1); // the kill really fell in the middle of the run
        var ledger = await LedgerAsync(engine.Services, run.Id);
        Assert.All(ledger, entry => Assert.Equal(DeliveryStatus.Sent, entry.Status));
        var received = await sink.WaitForAsync(Audience, TimeSpan.FromSeconds(5));
        var byRecipient = received.GroupBy(m => Assert.Single(m.Recipients)).ToDictionary(g => g.Key, g => g.ToList());
        var messageIds = ledger.ToDictionary(e => e.Email, e => e.MessageId);
        Assert.Equal(messageIds.Keys.Order(), byRecipient.Keys.Order());
        // Every copy, a repeat included, carries the ledger's Message-ID: a receiver can tell a resend from a new mail.
        Assert.All(byRecipient, pair => Assert.All(pair.Value, m => Assert.Equal(messageIds[pair.Key], m.Message.MessageId)));
        var repeated = byRecipient.Where(pair => pair.Value.Count > 1).ToList();
        Assert.True(repeated.Count <= Connections && repeated.All(pair => pair.Value.Count == 2),
            $"only the message in flight on each of the {Connections} connections may repeat; repeated: " +
            string.Join(", ", repeated.Select(pair => $"{pair.Key} x{pair.Value.Count}")));
    }

    /// <summary>The operator's appsettings.json in the service's working folder.</summary>
    private static Task WriteSettingsAsync(string folder, int smtpPort)
    {
        var settings = new
        {
            Logging = new { LogLevel = new Dictionary<string, string> { ["Default"] = "Warning", ["Digest"] = "Information" } },
            Storage = new { DataDirectory = "data" },
            Rendering = new { TemplatesPath = DigestTestHost.TemplatesPath },
            Site = new { PublicUrl = "https://digest.example.org" },
            Editions = new { daily = new { Title = "The Daily Digest", Cron = "0 7 1 1 *", TimeZone = "Europe/Berlin" } },
            Delivery = new
            {
                Transport = "Smtp",
                FromAddress = "digest@news.example.org",
                BatchSize = 100,
                // A claim cut off by the kill is taken again after this long; it must outlast a send (Smtp:Timeout).
                ClaimTimeout = "00:00:03",
                RetryBackoff = "00:00:01",
                Smtp = new
                {
                    Host = "127.0.0.1", Port = smtpPort, Security = "None", Connections,
                    Timeout = "00:00:02",
                    // Paced so the run lasts a few seconds and the kill lands in the middle of it.
                    TotalMessagesPerSecond = 150,
                },
            },
        };
        return File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), JsonSerializer.Serialize(settings));
    }

    /// <summary>The engine on the same folder and settings, in the test process: to seed the store and read the ledger.</summary>
    private static async Task<IHost> EngineAsync(string folder)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder, DisableDefaults = true });
        builder.Configuration.AddJsonFile(Path.Combine(folder, "appsettings.json"));
        builder.AddDigestEngine();
        var host = builder.Build();
        await host.Services.PrepareDigestAsync();
        return host;
    }

    private static Process StartService(string folder, StringBuilder log)
    {
        var process = Process.Start(DigestProcess.StartInfo(folder, new Dictionary<string, string>()))!;
        process.OutputDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForMessagesAsync(SmtpSink sink, int count, Process service, StringBuilder log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.EnumerateFiles(sink.DumpDirectory).Count() < count)
        {
            if (service.HasExited || DateTime.UtcNow > deadline)
            {
                if (!service.HasExited)
                    service.Kill();
                lock (log)
                    throw new TimeoutException($"the service did not send {count} messages; it said:\n{log}");
            }
            await Task.Delay(20);
        }
    }
}

using System.Diagnostics;
using System.Text;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
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
        // Paced so the run lasts a few seconds and the kill lands in the middle of it.
        await WriteServiceSettingsAsync(work.Path, sink.Port, Connections, messagesPerSecond: 150);
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

using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>The real service stopped with SIGTERM in the middle of a run, and started again.</summary>
public sealed class CleanShutdownTests
{
    private const int Audience = 400;
    private const int Readers = 20;

    [Fact]
    public async Task Service_StoppedWithSigtermMidRun_ExitsCleanly_AndTheRestartFinishesTheRunExactlyOnce()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var work = new TempFolder("digest-sigterm");
        // Paced so the run lasts a few seconds and the stop lands in the middle of it.
        await new ServiceSettings(sink.Port) { Connections = 2, MessagesPerSecond = 100 }.WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await SeedAsync(engine.Services, Audience);
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");

        int exitCode, receivedAtStop;
        string firstLog;
        await using (var first = RunningDigest.Start(work.Path))
        {
            await WaitForMessagesAsync(sink, Audience / 4, first);
            exitCode = await first.TerminateAsync(TimeSpan.FromSeconds(60));
            receivedAtStop = sink.Messages().Count;
            firstLog = first.Log;
            Assert.True(first.LoggedErrors.Count == 0, $"the stop logged errors:{Environment.NewLine}{firstLog}");
        }
        await using (var second = RunningDigest.Start(work.Path))
        {
            await WaitForCompletionAsync(engine.Services, run.Id, TimeSpan.FromSeconds(90));
            second.AssertNoErrorsLogged();
        }

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("OperationCanceledException", firstLog);
        Assert.DoesNotContain("TaskCanceledException", firstLog);
        Assert.InRange(receivedAtStop, 1, Audience - 1); // the stop really fell in the middle of the run
        var ledger = await LedgerAsync(engine.Services, run.Id);
        AssertExactlyOnce(ledger, await sink.WaitForAsync(Audience, TimeSpan.FromSeconds(5)));
    }

    /// <summary>
    /// The stop lands after the server took a message and before its answer came back (aiosmtpd holds the reply to
    /// held@example.com's DATA until the test releases it). Cut off there, the copy would count as unsent and go out
    /// again after the restart.
    /// </summary>
    [Fact]
    public async Task Service_StoppedWhileTheServerHoldsItsAnswer_RecordsTheAcceptedCopy_AndTheRestartNeverSendsItAgain()
    {
        await using var server = await PerRecipientSmtpServer.StartAsync();
        using var work = new TempFolder("digest-sigterm-held");
        await new ServiceSettings(server.Port) { Connections = 1, MessagesPerSecond = 5, SmtpTimeout = "00:00:20", ClaimTimeout = "00:00:21" }.WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await SeedAsync(engine.Services, Readers, "held@example.com");
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");

        await using (var first = RunningDigest.Start(work.Path))
        {
            // The held copy is the run's first (subscribers go in the order they joined) and the server now has it.
            await WaitForMessagesAsync(server, 1, first);
            var released = Task.Run(async () =>
            {
                await first.WaitForLogAsync("stopping; the copies on their way to the server are finished and recorded first");
                await File.WriteAllTextAsync(server.DumpDirectory + ".release", "");
            });
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(60)));
            await released;
            first.AssertNoErrorsLogged();
        }
        Assert.InRange(server.CompleteCount(), 1, Readers); // the stop fell in the middle of the run
        var held = Assert.Single(await LedgerAsync(engine.Services, run.Id), e => e.Email == "held@example.com");
        Assert.Equal(DeliveryStatus.Sent, held.Status);

        await using (var second = RunningDigest.Start(work.Path))
        {
            await WaitForCompletionAsync(engine.Services, run.Id, TimeSpan.FromSeconds(90));
            second.AssertNoErrorsLogged();
        }
        AssertExactlyOnce(await LedgerAsync(engine.Services, run.Id), await server.WaitForAsync(Readers + 1, TimeSpan.FromSeconds(5)));
    }
}

using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>The real service stopped with SIGTERM in the middle of a run, and started again.</summary>
public sealed class CleanShutdownTests
{
    private const int Audience = 400;

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
}

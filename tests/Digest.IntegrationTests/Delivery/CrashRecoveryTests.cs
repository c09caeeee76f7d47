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
        // Paced so the run lasts a few seconds and the kill lands in the middle of it.
        await new ServiceSettings(sink.Port) { Connections = Connections, MessagesPerSecond = 150 }.WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await SeedAsync(engine.Services, Audience);
        // Started here, sent by the service: on start it resumes every unfinished run from the ledger.
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");

        int receivedAtKill;
        await using (var first = RunningDigest.Start(work.Path))
        {
            await WaitForMessagesAsync(sink, Audience / 4, first);
            await first.KillAsync();
            receivedAtKill = sink.Messages().Count;
        }
        await using (var second = RunningDigest.Start(work.Path))
            await WaitForCompletionAsync(engine.Services, run.Id, TimeSpan.FromSeconds(90));

        Assert.InRange(receivedAtKill, 1, Audience - 1); // the kill really fell in the middle of the run
        var ledger = await LedgerAsync(engine.Services, run.Id);
        var received = await sink.WaitForAsync(Audience, TimeSpan.FromSeconds(5));
        AssertEveryoneOnce_ButInFlight(ledger, received, inFlightLimit: Connections);
    }

    [Fact]
    public async Task Service_RestartedAfterACrashMidFreeze_FreezesTheRestOfTheAudience_AndSendsEveryoneOnce()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var work = new TempFolder("digest-crash-freeze");
        await new ServiceSettings(sink.Port) { Connections = Connections, BatchSize = 50 }.WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await SeedAsync(engine.Services, 230);
        // What a process leaves behind when it dies midway through freezing the audience: the run with its first
        // chunk (frozen with the run), one more chunk, and the rest of the audience not in the ledger yet.
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");
        var frozen = await engine.Services.GetRequiredService<AudienceFreeze>().FreezeNextAsync(run.Id, CancellationToken.None);
        Assert.Equal(100, (await LedgerAsync(engine.Services, run.Id)).Count);
        // Sending everyone frozen so far does not complete the run: the rest of the audience is still owed it.
        var sent = await engine.Services.GetRequiredService<RunSender>().SendAsync(run.Id, new SubscriberRange(1, frozen!.Last), CancellationToken.None);
        Assert.Equal((100, false), (sent.Sent, sent.Completed));

        await using (var service = RunningDigest.Start(work.Path))
        {
            await WaitForCompletionAsync(engine.Services, run.Id, TimeSpan.FromSeconds(90));
            service.AssertNoErrorsLogged();
        }

        var ledger = await LedgerAsync(engine.Services, run.Id);
        Assert.Equal(230, ledger.Count);
        AssertExactlyOnce(ledger, await sink.WaitForAsync(230, TimeSpan.FromSeconds(5)));
        Assert.All(ledger, entry => Assert.Equal(DeliveryStatus.Sent, entry.Status));
    }
}

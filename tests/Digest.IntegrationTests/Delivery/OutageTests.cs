using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// The service's only SMTP server is down when a run starts (nothing listens on its port) and comes back 20 s later
/// as a real smtp-sink on the same port. The run waits for it without charging anybody, and goes out within seconds
/// of its return instead of after the server's back-off and each recipient's retry back-off.
/// </summary>
public sealed class OutageTests
{
    private const int Audience = 30;
    // Far more than the claims a pass can have on their way when it learns no server can be reached.
    private const int Readers = 1000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    /// <summary>The issue's stated target, from the server's return to the last recipient's copy.</summary>
    private static readonly TimeSpan HealedWithin = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OnlyServerDownAtTheStartOfARun_EveryoneGetsOneCopyWithinSecondsOfItsReturn_AndNobodyIsChargedForTheOutage()
    {
        int port = FreePort.Next();
        using var work = new TempFolder("digest-outage");
        await new ServiceSettings(port).WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await SeedAsync(engine.Services, Audience);
        // Started here, sent by the service: on start it resumes every unfinished run.
        var run = await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily");

        // The product's own retry pace: a recipient charged for the outage would wait a minute for its next try.
        await using var service = RunningDigest.Start(work.Path, new Dictionary<string, string> { ["Delivery:RetryBackoff"] = "00:01:00" });
        await service.WaitForLogAsync("is out of rotation", TimeSpan.FromMinutes(2)); // a loaded machine starts the service slowly
        // The scenario's length, not a wait for the service: from the service's first try, the server stays away 20 s.
        await Task.Delay(Outage);
        var back = DateTimeOffset.UtcNow; // before it listens: the strict measure
        await using var sink = await SmtpSink.StartOnAsync(port);
        await WaitForCompletionAsync(engine.Services, run.Id, TimeSpan.FromMinutes(4));

        var ledger = await LedgerAsync(engine.Services, run.Id);
        var (_, lastSent) = (await engine.Services.GetRequiredService<DeliveryLedger>().SentBetweenAsync(run.Id))!.Value;
        Assert.True(lastSent - back <= HealedWithin,
            $"the last copy went {(lastSent - back).TotalSeconds:0.0} s after the server was back; the service said:\n{service.Log}");
        // Each one attempt: the one that delivered. Waiting out the outage cost nobody a try or retry window.
        Assert.All(ledger, entry => Assert.Equal((DeliveryStatus.Sent, 1L), (entry.Status, entry.Attempts)));
        AssertExactlyOnce(ledger, await sink.WaitForAsync(Audience, TimeSpan.FromSeconds(10)));
        service.AssertNoErrorsLogged();
        Assert.Contains("Probing it every", service.Log);
        Assert.Contains("waits for an SMTP server", service.Log);
        Assert.Contains("back in rotation", service.Log);
        Assert.Contains("unfinished runs resume now", service.Log);
    }

    [Fact]
    public async Task PassWithNoServerReachable_HoldsEveryCopyUncharged_AndStopsClaiming_ThenTheServersReturnSendsThem()
    {
        int port = FreePort.Next();
        var settings = SmtpSettings(port);
        settings["Delivery:RetryBackoff"] = "00:10:00"; // a charged retry would not be due within the test
        using var started = await StartRunAsync(settings, readers: Readers);
        var (host, run) = started;

        var report = await host.Get<RunSender>().SendUntilSettledAsync(run.Id, TimeSpan.FromMinutes(1)).WaitAsync(TimeSpan.FromSeconds(60));
        var held = await LedgerAsync(host.Services, run.Id);
        await using var sink = await SmtpSink.StartOnAsync(port);
        // Nobody calls the sender again: the server's return alone resumes the run.
        await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(60));

        Assert.True(report.AwaitingServer, $"the pass did not say it waits for a server: {report}");
        Assert.Equal((0, 0), (report.Sent, report.Failed));
        // The chunks of claims already on their way (two of 64 at most for this pass, and as many for the service's
        // start-up resume, which may be sending the same run), not the whole audience: the passes stopped claiming
        // once they knew.
        var tried = held.Where(e => e.Status != DeliveryStatus.Pending).ToList();
        Assert.InRange(tried.Count, 1, 2 * 128);
        Assert.All(tried, entry => Assert.Equal((DeliveryStatus.Retry, 0L), (entry.Status, entry.Attempts)));
        Assert.All(tried, entry => Assert.Matches(@"^no SMTP server can be reached \(127\.0\.0\.1:\d+: cannot connect: SocketException: Connection refused\)$", entry.LastReply));
        var ledger = await LedgerAsync(host.Services, run.Id);
        Assert.All(ledger, entry => Assert.Equal((DeliveryStatus.Sent, 1L), (entry.Status, entry.Attempts)));
        AssertExactlyOnce(ledger, await sink.WaitForAsync(Readers, TimeSpan.FromSeconds(10)));
    }
}

using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// The faults Postfix's smtp-sink injects on its own: a 421 and hang-up, a 5xx for every recipient, a slow answer to
/// DATA, the server killed mid-run and started again. Each ends with what the server received checked against the
/// ledger.
/// </summary>
public sealed class SinkFaultTests
{
    [Fact]
    public async Task ServerThatSays421AndHangsUp_LeavesEveryRecipientForARetry_ThenEachGetsTheDigestOnce()
    {
        int port = FreePort.Next();
        var settings = Settings(port);
        settings["Delivery:RetryBackoff"] = "00:00:01";
        using var started = await StartRunAsync(settings, readers: 3);
        var (host, run) = started;

        SendReport refused;
        await using (var closing = await SmtpSink.StartOnAsync(port, "-Q", "RCPT"))
        {
            refused = await host.Get<RunSender>().SendAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Empty(closing.Messages());
        }
        var deferred = await LedgerAsync(host.Services, run.Id);
        await using var sink = await SmtpSink.StartOnAsync(port);
        await host.Get<RunSender>().SendUntilSettledAsync(run.Id, TimeSpan.FromSeconds(30));
        // A hang-up the client saw as a dropped connection puts the server out until it answers a probe; a probe in
        // the moment between the two servers leaves the rest to the resume that the server's return starts.
        await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(30));

        // A 421 is "not now", never "no": nobody failed, nobody was suppressed, everybody was tried again.
        Assert.Equal((0, 0, 3), (refused.Sent, refused.Failed, refused.Retrying));
        // Each copy met the 421, or a server that was hanging up and refused the next connection: held for it then.
        Assert.Contains(deferred, entry => entry.LastReply!.StartsWith("421", StringComparison.Ordinal));
        Assert.All(deferred, entry => Assert.Matches("^(421 |no SMTP server can be reached )", entry.LastReply));
        var ledger = await LedgerAsync(host.Services, run.Id);
        Assert.All(ledger, entry => Assert.Equal(DeliveryStatus.Sent, entry.Status));
        AssertExactlyOnce(ledger, await sink.WaitForAsync(3, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ServerThatRefusesEveryRecipientForGood_FailsEachOnce_WithItsReply_AndTriesNoneAgain()
    {
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT");
        using var started = await StartRunAsync(Settings(sink.Port), readers: 3);
        var (host, run) = started;

        var report = await host.Get<RunSender>().SendUntilSettledAsync(run.Id, TimeSpan.FromSeconds(5)).WaitAsync(TimeSpan.FromSeconds(60));

        // A 5xx is final for that recipient: recorded with the server's words, never retried, the run complete.
        Assert.Equal((0, 3, 0, true), (report.Sent, report.Failed, report.Retrying, report.Completed));
        var ledger = await LedgerAsync(host.Services, run.Id);
        Assert.All(ledger, entry => Assert.Equal((DeliveryStatus.Failed, 1L), (entry.Status, entry.Attempts)));
        Assert.All(ledger, entry => Assert.StartsWith("5", entry.LastReply));
        Assert.Empty(sink.Messages());
    }

    [Fact]
    public async Task ServerSlowToAnswerData_StillGetsEachMessageOnce_WithinTheTimeout()
    {
        // Two seconds before each DATA reply, against a five-second timeout: slow is not failed.
        await using var sink = await SmtpSink.StartAsync("-w", "2");
        using var started = await StartRunAsync(Settings(sink.Port), readers: 4);
        var (host, run) = started;

        var report = await host.Get<RunSender>().SendAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((4, 0, 0), (report.Sent, report.Failed, report.Retrying));
        AssertExactlyOnce(await LedgerAsync(host.Services, run.Id), await sink.WaitForAsync(4, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ServerKilledMidRun_AndStartedAgain_EveryoneGetsTheDigest_RepeatsOnlyWhatWasInFlight()
    {
        int port = FreePort.Next();
        var settings = Settings(port);
        // Paced, so the run is still going when the server dies.
        settings["Delivery:Smtp:Servers:0:MaxMessagesPerSecond"] = "40";
        using var started = await StartRunAsync(settings, readers: 120);
        var (host, run) = started;

        await using var first = await SmtpSink.StartOnAsync(port);
        var sending = host.Get<RunSender>().SendUntilSettledAsync(run.Id, TimeSpan.FromSeconds(60));
        await first.WaitForAsync(30, TimeSpan.FromSeconds(30));
        await first.KillAsync();
        // Back only once the senders have found it gone (a copy left for a retry), so the run really crosses the outage.
        await WaitForLedgerAsync(host.Services, run.Id, entries => entries.Any(e => e.Status == DeliveryStatus.Retry), "a copy left for a retry");
        await using var second = await SmtpSink.StartOnAsync(port);
        await sending.WaitAsync(TimeSpan.FromSeconds(90));
        await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(30));

        var received = first.Messages().Concat(second.Messages()).ToList();
        Assert.True(second.Messages().Count > 0, "the run should have gone on through the restarted server");
        AssertEveryoneOnce_ButInFlight(await LedgerAsync(host.Services, run.Id), received, inFlightLimit: 2);
    }

    /// <summary>Settings for a server on <paramref name="port"/> that, out of rotation, comes back within 0.2 s.</summary>
    private static Dictionary<string, string?> Settings(int port)
    {
        var settings = SmtpSettings(port);
        settings["Delivery:Smtp:ServerBackoff"] = "00:00:00.200";
        return settings;
    }
}

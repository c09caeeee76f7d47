using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using System.Net;
using System.Net.Sockets;
using Hangfire;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>Runs against Postfix's smtp-sink: fan-out, faults the sink injects, several servers, STARTTLS.</summary>
public sealed class SmtpDeliveryTests
{
    [Fact]
    public async Task ScheduledRun_FansOutInBatchJobs_AndEverySubscriberGetsExactlyOneMessage()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = new DigestTestHost(SmtpSettings(sink.Port));
        _ = host.Server;
        await SeedAsync(host.Services, readers: 230);

        await host.Get<EditionJobs>().FireAsync("daily", new DateTimeOffset(2026, 3, 16, 6, 0, 0, TimeSpan.Zero), CancellationToken.None);
        var run = Assert.Single(await host.Get<RunMonitor>().RecentAsync(10));
        var progress = await WaitForCompletionAsync(host.Services, run.RunId, TimeSpan.FromSeconds(60));

        Assert.Equal(230, progress.Sent);
        AssertExactlyOnce(await LedgerAsync(host.Services, run.RunId), await sink.WaitForAsync(230, TimeSpan.FromSeconds(10)));
        // 230 subscribers in batches of 50: five jobs, each carrying the run and its subscriber-ID bounds only.
        var batches = await WaitForSucceededBatchesAsync(host, 5);
        Assert.Equal(5, batches.Count);
        Assert.All(batches, args => Assert.Equal(run.RunId, (long)args[0]!));
    }

    [Fact]
    public async Task ServerThatStopsAnswering_GivesUpAfterTheTimeout_AndLeavesEveryRecipientForARetry()
    {
        // Greets, then never answers a command: the pass must end, not hang on the connection.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var connections = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var connection = await silent.AcceptTcpClientAsync();
                connections.Add(connection);
                await connection.GetStream().WriteAsync("220 silent.example.org ESMTP\r\n"u8.ToArray());
            }
        });
        var settings = SmtpSettings(((IPEndPoint)silent.LocalEndpoint).Port);
        settings["Delivery:Smtp:Timeout"] = "00:00:01";
        using var started = await StartRunAsync(settings, readers: 3);
        var (host, run) = started;

        var report = await host.Get<RunSender>().SendAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((0, 0, 3), (report.Sent, report.Failed, report.Retrying));
        Assert.All(await LedgerAsync(host.Services, run.Id), entry => Assert.Contains("Timeout", entry.LastReply));
        connections.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Message_HeldBehindTheLastOutcome_IsAcceptedOnlyOnceThatOutcomeIsCommitted()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = new DigestTestHost(SmtpSettings(sink.Port));
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var message = HeldMessage(host, committed.Task);

        var sending = host.Get<IMailTransport>().SendAsync(message, CancellationToken.None);
        // The message is on its way, but not its end: the server is receiving it and has not accepted it.
        await sink.WaitUntilAsync(server => server.InProgress() == 1, "the message's transaction to start", TimeSpan.FromSeconds(10));
        Assert.False(sending.IsCompleted);
        Assert.Equal(0, sink.CompleteCount());

        committed.SetResult();
        Assert.StartsWith("2.0.0", await sending);
        var received = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal("held.1@news.example.org", received.Message.MessageId);
    }

    [Fact]
    public async Task Message_HeldBehindAnOutcomeThatFailedToCommit_IsNeverAccepted()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = new DigestTestHost(SmtpSettings(sink.Port));
        using var message = HeldMessage(host, Task.FromException(new IOException("the ledger is gone")));

        await Assert.ThrowsAsync<IOException>(() => host.Get<IMailTransport>().SendAsync(message, CancellationToken.None));

        // The connection was dropped before the message's end: the server discarded it (smtp-sink deletes the file
        // of a transaction that never ended; a wrongly accepted message would stay, and this wait would time out).
        await sink.WaitUntilAsync(server => server.DumpFiles() == 0, "the dropped transaction to be discarded", TimeSpan.FromSeconds(10));
        Assert.Empty(sink.Messages());
    }

    private static MimeKit.MimeMessage HeldMessage(DigestTestHost host, Task sendAfter)
    {
        var reader = new Subscriber(1, "ana@example.com", "Ana", SubscriberStatus.Confirmed);
        var envelope = new Envelope("held.1@news.example.org", reader, "daily", "The Daily Digest", "https://digest.example.org/u/held");
        var draft = host.Get<MessageFactory>().Draft(envelope.Edition, envelope.EditionTitle, "Held");
        draft.Fill(envelope, MessageBody.From(new Digest.Rendering.RenderedDigest("<p>Hello</p>", "Hello")));
        draft.SendAfter(sendAfter);
        return draft.Message;
    }

    [Fact]
    public async Task Run_WhenServerDefersEveryRecipient_RetriesLater_AndDeliversOnceWhenServerRecovers()
    {
        int port = FreePort.Next();
        var settings = SmtpSettings(port);
        settings["Delivery:RetryBackoff"] = "00:00:03";
        using var started = await StartRunAsync(settings, readers: 20);
        var (host, run) = started;

        IReadOnlyList<LedgerEntry> waiting;
        await using (var refusing = await SmtpSink.StartOnAsync(port, "-r", "RCPT"))
        {
            await host.Get<RunSender>().SendAsync(run.Id);
            waiting = await TriedLedgerAsync(host.Services, run.Id);
            Assert.Empty(refusing.Messages());
        }
        await using var sink = await SmtpSink.StartOnAsync(port);
        await host.Get<RunSender>().SendUntilSettledAsync(run.Id, TimeSpan.FromSeconds(30));
        await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(30));

        Assert.All(waiting, entry => Assert.Contains(entry.Status, new[] { DeliveryStatus.Retry, DeliveryStatus.Sending }));
        Assert.All(waiting, entry => Assert.StartsWith("45", entry.LastReply));
        var ledger = await LedgerAsync(host.Services, run.Id);
        Assert.All(ledger, entry => Assert.Equal(DeliveryStatus.Sent, entry.Status));
        Assert.All(ledger, entry => Assert.True(entry.Attempts >= 2, $"{entry.Email} was sent without being deferred first"));
        AssertExactlyOnce(ledger, await sink.WaitForAsync(20, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Run_WithOneOfTwoServersDown_SendsEverythingThroughTheOther()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var started = await StartRunAsync(SmtpSettings(FreePort.Next(), sink.Port), readers: 40);
        var (host, run) = started;

        await host.Get<RunSender>().SendAsync(run.Id);

        var progress = await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(30));
        Assert.Equal((40, 0), (progress.Sent, progress.Failed + progress.Retrying));
        AssertExactlyOnce(await LedgerAsync(host.Services, run.Id), await sink.WaitForAsync(40, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Run_WithStartTlsRequired_AndServerWithoutIt_SendsNothingInPlainText()
    {
        await using var sink = await SmtpSink.StartAsync();
        var settings = SmtpSettings(sink.Port);
        settings["Delivery:Smtp:Servers:0:Security"] = "StartTls";
        using var started = await StartRunAsync(settings, readers: 3);
        var (host, run) = started;

        await host.Get<RunSender>().SendAsync(run.Id);

        var ledger = await TriedLedgerAsync(host.Services, run.Id);
        Assert.Equal(3, ledger.Count);
        Assert.All(ledger, entry => Assert.Contains(entry.Status, new[] { DeliveryStatus.Retry, DeliveryStatus.Sending }));
        Assert.All(ledger, entry => Assert.Contains("STARTTLS", entry.LastReply));
        Assert.Empty(await sink.WaitForAsync(1, TimeSpan.FromSeconds(1)));
    }

    private static async Task<List<object?[]>> WaitForSucceededBatchesAsync(DigestTestHost host, int count)
    {
        var monitoring = host.Get<JobStorage>().GetMonitoringApi();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<object?[]> batches;
        do
        {
            batches = monitoring.SucceededJobs(0, 1000)
                .Where(job => job.Value.Job?.Method.Name == nameof(EditionJobs.SendBatchAsync))
                .Select(job => job.Value.Job.Args.ToArray()).ToList();
            if (batches.Count >= count)
                break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        return batches;
    }
}

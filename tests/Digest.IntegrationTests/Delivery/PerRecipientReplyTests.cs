using System.Net;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>Runs against aiosmtpd answering per recipient: a bad mailbox, a greylisting server, a policy refusal.</summary>
public sealed class PerRecipientReplyTests
{
    private static readonly string[] Troubled = ["nobody@example.com", "grey@example.com", "blocked@example.com"];

    [Fact]
    public async Task Send_SuppressesBadMailbox_RetriesGreylistedUntilAccepted_AndReportsPolicyRefusalWithoutSuppressing()
    {
        await using var server = await PerRecipientSmtpServer.StartAsync();
        using var started = await StartRunAsync(SmtpSettings(server.Port), readers: 10, Troubled);
        var (host, run) = started;

        await host.Get<RunSender>().SendUntilSettledAsync(run.Id, TimeSpan.FromSeconds(30));

        await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(30));
        var ledger = (await LedgerAsync(host.Services, run.Id)).ToDictionary(e => e.Email);
        Assert.Equal(DeliveryStatus.Failed, ledger["nobody@example.com"].Status);
        Assert.Contains("5.1.1", ledger["nobody@example.com"].LastReply);
        Assert.Equal(DeliveryStatus.Failed, ledger["blocked@example.com"].Status);
        Assert.Contains("5.7.1", ledger["blocked@example.com"].LastReply);
        Assert.Equal((DeliveryStatus.Sent, 3L), (ledger["grey@example.com"].Status, ledger["grey@example.com"].Attempts));
        Assert.All(Enumerable.Range(1, 10).Select(Reader), email => Assert.Equal(DeliveryStatus.Sent, ledger[email].Status));
        var statuses = (await host.Get<SubscriberStore>().ListAsync()).ToDictionary(s => s.Email, s => s.Status);
        Assert.Equal(SubscriberStatus.Suppressed, statuses["nobody@example.com"]);
        Assert.Equal(SubscriberStatus.Confirmed, statuses["blocked@example.com"]);
        AssertExactlyOnce(ledger.Values.ToList(), server.Messages());
    }

    [Fact]
    public async Task RunPage_ListsFailedRecipientsWithReply_AndResendTriesThemAgainSkippingSuppressed()
    {
        await using var server = await PerRecipientSmtpServer.StartAsync();
        using var host = new DigestTestHost(SmtpSettings(server.Port));
        using var client = host.CreateClient();
        await SeedAsync(host.Services, readers: 5, "nobody@example.com", "blocked@example.com");
        var run = await host.Get<EditionRunner>().StartNowAsync("daily");
        await host.Get<RunSender>().SendAsync(run.Id);
        await SettledLedgerAsync(host.Services, run.Id);

        string page = await client.GetStringAsync($"/runs/{run.Id}");
        var resend = await Web.WebForms.PostFormAsync(client, $"/runs/{run.Id}", $"/runs/{run.Id}/resend", []);
        await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(30));

        Assert.Contains("<dd id=\"sent\">5 of 7</dd>", page);
        Assert.Contains("<dd id=\"failed\">2</dd>", page);
        Assert.Contains("<dd id=\"pending\">0</dd>", page);
        Assert.Contains("550 5.1.1 &lt;nobody@example.com&gt;: Recipient address rejected: User unknown", page);
        Assert.Contains("550 5.7.1 Message rejected by policy: sender reputation", page);
        Assert.Equal(HttpStatusCode.OK, resend.StatusCode); // followed the redirect back to the run's page
        var ledger = (await LedgerAsync(host.Services, run.Id)).ToDictionary(e => e.Email);
        Assert.Equal((DeliveryStatus.Skipped, "subscriber is suppressed"), (ledger["nobody@example.com"].Status, ledger["nobody@example.com"].LastReply));
        Assert.Equal((DeliveryStatus.Failed, 2L), (ledger["blocked@example.com"].Status, ledger["blocked@example.com"].Attempts));
        AssertExactlyOnce(ledger.Values.ToList(), server.Messages());
    }
}

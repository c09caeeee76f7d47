using Digest.Delivery;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// SMTP SIZE against aiosmtpd, which offers it. MailKit writes a message once more to measure it for SIZE; Digest
/// turns SIZE off, so each copy is written once, and its end can wait for the ledger while its transaction is open.
/// </summary>
public sealed class MessageSizeTests
{
    [Fact]
    public async Task Run_ToARelayThatTakesSizes_DeclaresNone_WhileAPlainMailKitClientDoes()
    {
        await using var server = await PerRecipientSmtpServer.StartAsync();
        using var started = await StartRunAsync(SmtpSettings(server.Port), readers: 3);
        var (host, run) = started;

        var report = await host.Get<RunSender>().SendAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((3, 0, true), (report.Sent, report.Failed, report.Completed));
        var copies = await server.WaitForAsync(3, TimeSpan.FromSeconds(10));
        Assert.All(copies, copy => Assert.DoesNotContain("SIZE=", copy.Message.Headers["X-Mail-Args"]));

        // The same relay, from MailKit as it comes: it does declare the size, so the check above can tell.
        using (var plain = new SmtpClient())
        {
            await plain.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
            var message = new MimeMessage { Subject = "sized" };
            message.From.Add(MailboxAddress.Parse("digest@news.example.org"));
            message.To.Add(MailboxAddress.Parse("reader@example.com"));
            message.Body = new TextPart("plain") { Text = "Hello" };
            await plain.SendAsync(message);
            await plain.DisconnectAsync(true);
        }
        var sized = (await server.WaitForAsync(4, TimeSpan.FromSeconds(10))).Single(m => m.Message.Subject == "sized");
        Assert.Contains("SIZE=", sized.Message.Headers["X-Mail-Args"]);
    }
}

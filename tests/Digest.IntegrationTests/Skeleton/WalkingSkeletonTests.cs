using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using MimeKit;

namespace Digest.IntegrationTests.Skeleton;

/// <summary>One article in, one digest out: the whole flow against a real SMTP server.</summary>
public sealed class WalkingSkeletonTests
{
    private static readonly string[] Audience = ["ana@example.com", "ben@example.net", "chloe@example.org"];

    [Fact]
    public async Task Edition_DroppedArticle_ReachesEverySubscriberOverSmtp_WithBothPartsAndUnsubscribeHeaders()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        _ = host.Server; // starts the service: schema, templates, inbox watcher, Hangfire

        await host.DropArticleAsync("tram.txt");
        var subscribers = host.Get<SubscriberStore>();
        foreach (string email in Audience)
            await subscribers.AddConfirmedAsync(email, email.Split('@')[0], ["daily"]);

        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        Assert.NotNull(report);
        Assert.Equal(3, report.Sent);
        var received = await sink.WaitForAsync(3, TimeSpan.FromSeconds(10));
        Assert.Equal(Audience.Order(), received.SelectMany(m => m.Recipients).Order());
        foreach (var (_, _, message) in received)
        {
            Assert.StartsWith("The Daily Digest — ", message.Subject);
            Assert.EndsWith("City Council Approves Riverside Tram Line After Decade of Debate", message.Subject);
            Assert.Matches(@"^digest\.\d+\.\d+@news\.example\.org$", message.MessageId);
            Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
            Assert.Matches(@"^<https://digest\.example\.org/u/[\w-]+\.[\w-]+>, <mailto:digest@news\.example\.org\?subject=unsubscribe%20daily>$",
                message.Headers[HeaderId.ListUnsubscribe]);
            Assert.Equal("\"The Daily Digest\" <daily.news.example.org>", message.Headers[HeaderId.ListId]);

            var alternative = Assert.IsType<MultipartAlternative>(message.Body);
            string text = message.TextBody ?? "", html = message.HtmlBody ?? "";
            Assert.Equal(2, alternative.Count);
            foreach (var part in new[] { text, html })
                Assert.Contains("Riverside Tram Line", part);
            Assert.Contains("The council voted 31 to 9 to fund a 12 km tram line along the east bank.", text);
            Assert.Contains("Shop owners on Canal Street <fear> two years of roadworks.", text);
            Assert.Contains("The council voted 31 to 9 to fund a 12 km tram line along the east bank.", html);
            // Article text is HTML-encoded: it can never inject markup into the digest.
            Assert.Contains("Shop owners on Canal Street &lt;fear&gt; two years of roadworks.", html);
            Assert.DoesNotContain("<fear>", html);
        }
        Assert.Equal(3, received.Select(m => m.Message.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task Edition_RunAgainForSameSlot_SendsNothingTwice()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        _ = host.Server;
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var slot = new DateTimeOffset(2026, 3, 15, 6, 0, 0, TimeSpan.Zero);

        var runner = host.Get<EditionRunner>();
        var sender = host.Get<Digest.Delivery.RunSender>();
        var first = await runner.StartAsync("daily", slot);
        await sender.SendAsync(first.Id);
        var again = await runner.StartAsync("daily", slot);
        var secondPass = await sender.SendAsync(again.Id);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(0, secondPass.Sent);
        Assert.Single(await sink.WaitForAsync(2, TimeSpan.FromSeconds(2)));
    }
}

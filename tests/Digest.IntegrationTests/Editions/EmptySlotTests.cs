using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using MimeKit;

namespace Digest.IntegrationTests.Editions;

/// <summary>What a slot with nothing new (or too little) does, as subscribers see it in their mail.</summary>
public sealed class EmptySlotTests
{
    [Fact]
    public async Task SendNoNews_NothingNew_SendsANoNewsDigestFromTheEditionsOwnSender()
    {
        using var host = new DigestTestHost(new Dictionary<string, string?>
        {
            ["Editions:daily:WhenEmpty"] = "SendNoNews",
            ["Editions:daily:FromAddress"] = "morning@news.example.org",
            ["Editions:daily:FromName"] = "Morning Desk",
        });
        _ = host.Server;
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);

        await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        var message = await SentMessageAsync(host);
        Assert.Equal("\"Morning Desk\" <morning@news.example.org>", message.From.ToString());
        Assert.Contains("No news this time: nothing new has arrived since the last edition.", message.TextBody);
        Assert.Contains("No news this time: nothing new has arrived since the last edition.", message.HtmlBody);
    }

    [Fact]
    public async Task FewerThanMinArticles_SkipsTheSlot_AndTheArticleWaitsForTheNext()
    {
        using var host = new DigestTestHost(new Dictionary<string, string?> { ["Editions:daily:MinArticles"] = "2" });
        _ = host.Server;
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var runner = host.Get<EditionRunner>();
        await AddArticleAsync(host, "tram.txt");

        var first = await runner.StartAsync("daily", new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        await AddArticleAsync(host, "ferry.txt");
        var second = await runner.StartAsync("daily", new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero));
        await host.Get<RunSender>().SendAsync(second.Id);

        Assert.Equal(RunStatus.Empty, first.Status);
        Assert.Equal(RunStatus.Sending, second.Status);
        var message = await SentMessageAsync(host);
        Assert.Contains("Riverside Tram Line", message.TextBody);
        Assert.Contains("Harbour Ferry Returns", message.TextBody);
    }

    /// <summary>
    /// The one message sent. The service's own resume job may be the one that sends it, a moment later than the
    /// test's call, so the test waits until a message is out and the ledger holds no delivery still to do or under
    /// way: nothing can be sent after that, so a second copy would be in the outbox by then.
    /// </summary>
    private static async Task<MimeMessage> SentMessageAsync(DigestTestHost host)
    {
        var giveUp = DateTime.UtcNow.AddSeconds(20);
        while (!Directory.Exists(host.OutboxPath) || Directory.GetFiles(host.OutboxPath, "*.eml").Length == 0 || await UnsettledAsync(host) > 0)
        {
            Assert.True(DateTime.UtcNow < giveUp, "no message was sent, or its delivery never settled");
            await Task.Delay(50);
        }
        return await MimeMessage.LoadAsync(Assert.Single(Directory.GetFiles(host.OutboxPath, "*.eml")));
    }

    private static async Task<long> UnsettledAsync(DigestTestHost host)
    {
        await using var connection = await host.Get<Digest.Storage.Database>().OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT COUNT(*) FROM deliveries WHERE status IN (@pending, @sending, @retry)",
            new { pending = DeliveryStatus.Pending, sending = DeliveryStatus.Sending, retry = DeliveryStatus.Retry });
    }

    private static async Task AddArticleAsync(DigestTestHost host, string fixture)
    {
        var parsed = ArticleParser.Parse(await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles", fixture)));
        await host.Get<ArticleStore>().AddAsync(parsed.Article!, new ArticleOrigin(fixture));
    }
}

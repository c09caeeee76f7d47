using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using MimeKit;

namespace Digest.IntegrationTests.Editions;

/// <summary>An edition sent to another edition's subscribers (Editions:NAME:Audience).</summary>
public sealed class AudienceTests
{
    [Fact]
    public async Task Edition_WithAudience_GoesToThatListsSubscribers_AndItsUnsubscribeLeavesThatList()
    {
        using var host = new DigestTestHost(new Dictionary<string, string?>
        {
            ["Editions:best:Title"] = "Best of the Week",
            ["Editions:best:Cron"] = "0 8 1 1 *",
            ["Editions:best:TimeZone"] = "Europe/Berlin",
            ["Editions:best:Audience"] = "daily",
        });
        using var client = host.CreateClient();
        await host.DropArticleAsync("tram.txt");
        var subscribers = host.Get<SubscriberStore>();
        var ana = await subscribers.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        await subscribers.AddConfirmedAsync("ben@example.net", "Ben", ["best"]);

        await host.Get<EditionJobs>().SendNowAsync("best", CancellationToken.None);

        var sent = MimeMessage.Load(Assert.Single(Directory.GetFiles(host.OutboxPath, "*.eml")));
        Assert.Equal("ana@example.com", sent.To.Mailboxes.Single().Address);
        Assert.StartsWith("Best of the Week", sent.Subject);
        string unsubscribe = (sent.Headers[HeaderId.ListUnsubscribe] ?? "").Split('<', '>')[1];
        var response = await client.PostAsync(new Uri(unsubscribe).PathAndQuery,
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        response.EnsureSuccessStatusCode();
        Assert.False(await subscribers.IsSubscribedAsync(ana.Id, "daily"));
    }

    [Fact]
    public async Task Service_WithAudienceNamingNoEdition_StopsNamingTheSetting()
    {
        using var folder = new TempFolder();

        var result = await DigestProcess.RunAsync(folder.Path, new Dictionary<string, string>
        {
            ["Storage:DataDirectory"] = folder.Combine("data"),
            ["Editions:daily:Cron"] = "0 7 * * *",
            ["Editions:best:Cron"] = "0 8 * * 1",
            ["Editions:best:Audience"] = "dialy",
        });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Editions:best:Audience: 'dialy' is not an edition; name one of", result.Error);
    }
}

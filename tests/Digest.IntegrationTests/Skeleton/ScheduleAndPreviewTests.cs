using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using Hangfire;
using MimeKit;

namespace Digest.IntegrationTests.Skeleton;

public sealed class ScheduleAndPreviewTests
{
    [Fact]
    public async Task RecurringEditionJob_WhenHangfireFiresIt_SendsTheDigestToThePickupFolder()
    {
        using var host = new DigestTestHost();
        _ = host.Server;
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);

        // The job the edition scheduler queues when the edition's slot falls due, run by the Hangfire server.
        var slot = new DateTimeOffset(2026, 1, 1, 6, 0, 0, TimeSpan.Zero);
        host.Get<IBackgroundJobClient>().Enqueue<EditionJobs>(job => job.FireAsync("daily", slot, CancellationToken.None));

        var files = await WaitForFilesAsync(host.OutboxPath, 1, TimeSpan.FromSeconds(20));
        var message = MimeMessage.Load(Assert.Single(files));
        Assert.Equal("ana@example.com", message.To.Mailboxes.Single().Address);
        Assert.Contains("City Council Approves Riverside Tram Line", message.Subject);
    }

    [Fact]
    public async Task Preview_IsExactlyTheHtmlAndTextTheSubscriberThenReceives()
    {
        using var host = new DigestTestHost();
        using var client = host.CreateClient();
        await host.DropArticleAsync("tram.txt");
        var ana = await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);

        string previewHtml = await client.GetStringAsync($"/preview/daily?subscriber={ana.Id}");
        string previewText = await client.GetStringAsync($"/preview/daily.txt?subscriber={ana.Id}");
        await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        var sent = MimeMessage.Load(Assert.Single(Directory.GetFiles(host.OutboxPath, "*.eml")));
        // Line endings aside (mail is CRLF on the wire, MimeKit hands back LF), the parts are identical.
        Assert.Equal(sent.HtmlBody?.ReplaceLineEndings(), previewHtml.ReplaceLineEndings());
        Assert.Equal(sent.TextBody?.ReplaceLineEndings(), previewText.ReplaceLineEndings());
    }

    [Fact]
    public async Task Digest_PreferencesLinkInTheFooter_OpensThatSubscribersPreferences()
    {
        using var host = new DigestTestHost();
        using var client = host.CreateClient();
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        var sent = MimeMessage.Load(Assert.Single(Directory.GetFiles(host.OutboxPath, "*.eml")));
        string link = System.Text.RegularExpressions.Regex.Match(sent.TextBody ?? "", @"Manage preferences: (\S+)").Groups[1].Value;
        Assert.Contains($"href=\"{link}\"", sent.HtmlBody);
        var page = await client.GetAsync(new Uri(link).PathAndQuery);

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("ana@example.com", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Preview_UnknownEdition_Is404NamingTheEditions()
    {
        using var host = new DigestTestHost();
        using var client = host.CreateClient();

        var response = await client.GetAsync("/preview/hourly");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("There is no edition 'hourly'", problem.RootElement.GetProperty("detail").GetString());
    }

    private static async Task<string[]> WaitForFilesAsync(string folder, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.eml") is { } files && files.Length >= count)
                return files;
            await Task.Delay(100);
        }
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.eml") : [];
    }
}

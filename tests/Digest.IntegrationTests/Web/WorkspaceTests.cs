using System.Net;
using System.Text.Json;
using Digest.Delivery;
using Digest.Editions;
using Digest.Feedback;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>What editors do in the workspace beyond reading it: send now, erase, bulk unsubscribe, resend a confirmation; the API's description.</summary>
public sealed class WorkspaceTests
{
    private static async Task<HttpClient> EditorAsync(DigestTestHost host)
    {
        var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        return client;
    }

    [Fact]
    public async Task SendNow_WithoutTheConfirmation_SendsNothing_WithIt_StartsTheRunAndShowsItsPage()
    {
        using var host = new DigestTestHost(WebForms.Users());
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        using var client = await EditorAsync(host);

        var unconfirmed = await WebForms.PostFormAsync(client, "/", "/?handler=Send", [new("edition", "daily")]);
        var runsBefore = await host.Get<RunMonitor>().RecentAsync(10);
        var confirmed = await WebForms.PostFormAsync(client, "/", "/?handler=Send", [new("edition", "daily"), new("confirmed", "yes")]);

        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Contains("Nothing was sent: tick the box to confirm.", await unconfirmed.Content.ReadAsStringAsync());
        Assert.Empty(runsBefore);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        var run = Assert.Single(await host.Get<RunMonitor>().RecentAsync(10));
        Assert.Equal($"/runs/{run.RunId}", confirmed.Headers.Location?.OriginalString);
        string page = await client.GetStringAsync("/");
        Assert.Contains($"<a href=\"/runs/{run.RunId}\">Run {run.RunId}</a>", page); // the edition's last run
    }

    [Fact]
    public async Task Delete_ErasesTheAddressAndNameEverywhere_AndTheRunKeepsItsCounts()
    {
        using var host = new DigestTestHost(WebForms.Users());
        await host.DropArticleAsync("tram.txt");
        var ana = await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana Berg", ["daily"]);
        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        using var client = await EditorAsync(host);

        var unconfirmed = await WebForms.PostFormAsync(client, $"/subscribers/{ana.Id}", $"/subscribers/{ana.Id}/delete", []);
        var deleted = await WebForms.PostFormAsync(client, $"/subscribers/{ana.Id}", $"/subscribers/{ana.Id}/delete", [new("confirmed", "yes")]);

        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        var erased = await host.Get<SubscriberStore>().FindAsync(ana.Id);
        Assert.DoesNotContain("ana", erased!.Email);
        Assert.Equal("", erased.Name);
        Assert.False(await host.Get<SubscriberStore>().IsSubscribedAsync(ana.Id, "daily"));
        Assert.DoesNotContain("ana@example.com", await client.GetStringAsync("/subscribers"));
        Assert.DoesNotContain("ana@example.com", await client.GetStringAsync($"/runs/{report!.RunId}"));
        var run = await host.Get<RunMonitor>().GetAsync(report.RunId);
        Assert.Equal((1, 1), (run!.Total, run.Sent));
    }

    [Fact]
    public async Task BulkUnsubscribe_StopsEveryEditionForTheTickedOnly()
    {
        using var host = new DigestTestHost(WebForms.Users());
        var store = host.Get<SubscriberStore>();
        var ana = await store.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var ben = await store.AddConfirmedAsync("ben@example.net", "Ben", ["daily"]);
        var cleo = await store.AddConfirmedAsync("cleo@example.org", "Cleo", ["daily"]);
        using var client = await EditorAsync(host);

        var response = await WebForms.PostFormAsync(client, "/subscribers", "/subscribers?handler=Unsubscribe",
            [new("ids", ana.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("ids", cleo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

        Assert.Contains("2 unsubscribed from every edition.", await response.Content.ReadAsStringAsync());
        Assert.False(await store.IsSubscribedAsync(ana.Id, "daily"));
        Assert.True(await store.IsSubscribedAsync(ben.Id, "daily"));
        Assert.False(await store.IsSubscribedAsync(cleo.Id, "daily"));
    }

    [Fact]
    public async Task ResendConfirmation_SendsANewLink_ButNotTwiceInTenMinutes()
    {
        using var host = new DigestTestHost(WebForms.Users());
        var nora = await host.Get<SubscriberLifecycle>().SignUpAsync("nora@example.com", "Nora", ["daily"]);
        using var client = await EditorAsync(host);

        var first = await WebForms.PostFormAsync(client, $"/subscribers/{nora!.Id}", $"/subscribers/{nora.Id}/resend", []);
        var second = await WebForms.PostFormAsync(client, $"/subscribers/{nora.Id}", $"/subscribers/{nora.Id}/resend", []);

        Assert.Contains("A new confirmation link went to nora@example.com.", await first.Content.ReadAsStringAsync());
        Assert.Contains("Not sent: a confirmation email went to this address less than 10 minutes ago.", await second.Content.ReadAsStringAsync());
        Assert.Single(Directory.GetFiles(host.OutboxPath, "*.eml"));
    }

    [Fact]
    public async Task TheApi_IsDescribedByOpenApi_AndRunsAnswerTheirProgress()
    {
        using var host = new DigestTestHost(WebForms.Users());
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        using var client = await EditorAsync(host);

        using var openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        using var run = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{report!.RunId}"));
        var missing = await client.GetAsync("/api/runs/999");
        var reference = await client.GetAsync("/scalar/");

        var paths = openApi.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/articles", out _));
        Assert.True(paths.TryGetProperty("/api/subscribers", out _));
        Assert.True(paths.TryGetProperty("/api/runs/{id}", out _));
        Assert.Equal("completed", run.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, run.RootElement.GetProperty("sent").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
    }

    [Fact]
    public async Task RunPage_ShowsTheRelaysAlert_NamingTheSettingToFix_AndEncodesIt()
    {
        using var host = new DigestTestHost(WebForms.Users());
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        await host.Get<RunAlerts>().SetAsync(report!.RunId,
            "SMTP server <relay>:587 refused the user name or password: check Delivery:Smtp:Username and Delivery:Smtp:Password");
        using var client = await EditorAsync(host);

        string page = await client.GetStringAsync($"/runs/{report.RunId}");

        Assert.Contains("Sending has stopped:", page);
        Assert.Contains("SMTP server &lt;relay&gt;:587 refused the user name or password: check Delivery:Smtp:Username and Delivery:Smtp:Password", page);
    }

    [Fact]
    public async Task RunAndSubscriberPages_ShowABounceWithTheProvidersReason()
    {
        using var host = new DigestTestHost(WebForms.Users());
        await host.DropArticleAsync("tram.txt");
        var ana = await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        await host.Get<FeedbackProcessor>().ApplyAsync("mailbox:<bounce-1@mx.example>", FeedbackSource.Mailbox,
            new FeedbackReport(FeedbackKind.HardBounce, "550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown",
                Recipient: "ana@example.com"));
        using var client = await EditorAsync(host);

        string run = await client.GetStringAsync($"/runs/{report!.RunId}");
        string subscriber = await client.GetStringAsync($"/subscribers/{ana.Id}");

        Assert.Contains("<dd id=\"hard-bounces\">1 (100.00%)</dd>", run);
        Assert.Contains("hard-bounce rate 100.00% is over 2%", run);
        foreach (string page in new[] { run, subscriber })
            Assert.Contains("550 5.1.1 &lt;ana@example.com&gt;: Recipient address rejected: User unknown", page);
        Assert.Contains($"<a href=\"/runs/{report.RunId}\">Run {report.RunId}</a>", subscriber);
    }
}

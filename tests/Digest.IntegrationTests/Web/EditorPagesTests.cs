using System.Net;
using System.Text.Json;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>What a signed-in editor does with subscribers and previews.</summary>
public sealed class EditorPagesTests
{
    private static DigestTestHost Host(SmtpSink? sink = null)
    {
        var settings = WebForms.Users();
        settings["Editions:weekly:Title"] = "The Weekly Digest";
        settings["Editions:weekly:Cron"] = "0 8 1 1 *";
        return sink is null ? new DigestTestHost(settings) : DigestTestHost.SendingTo(sink, settings);
    }

    private static async Task<HttpClient> EditorAsync(DigestTestHost host)
    {
        var client = WebForms.Client(host);
        var signIn = await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return client;
    }

    [Fact]
    public async Task Import_AddsMergesAndReportsRejectedRowsWithWhy()
    {
        using var host = Host();
        using var client = await EditorAsync(host);
        var store = host.Get<SubscriberStore>();
        var fay = await store.AddConfirmedAsync("fay@example.org", "Fay", ["weekly"]);
        await store.UnsubscribeAsync(fay.Id, "weekly");

        var response = await WebForms.UploadAsync(client, "/subscribers/import", "/subscribers/import", "file", "subscribers/import.csv");
        string report = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<strong id=\"added\">2</strong> added, <strong id=\"merged\">1</strong> merged", report);
        Assert.Contains("<tr><td>4</td><td>email: &#x27;not-an-address&#x27; is not an email address</td></tr>", report);
        Assert.Contains("<tr><td>6</td><td>editions: no edition named &#x27;hourly&#x27;", report);
        Assert.Contains("<tr><td>12</td><td>text after a closing quote in column 1</td></tr>", report);
        var all = await store.ListAsync();
        Assert.Equal(["fay@example.org", "ana@example.com", "ben@example.net"], all.Select(s => s.Email));
        Assert.True(await store.IsSubscribedAsync(all[1].Id, "weekly"));
        Assert.True(await store.IsSubscribedAsync(fay.Id, "daily"));
        Assert.False(await store.IsSubscribedAsync(fay.Id, "weekly")); // an import never resubscribes someone who left
    }

    [Fact]
    public async Task List_FiltersByTextStatusAndEdition_AndExportsTheSame()
    {
        using var host = Host();
        using var client = await EditorAsync(host);
        var store = host.Get<SubscriberStore>();
        await store.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        await store.AddConfirmedAsync("ben_b@example.net", "Ben", ["weekly"]);
        await host.Get<SubscriberLifecycle>().SignUpAsync("cleo@example.org", "Cleo", ["daily"]);

        string daily = await client.GetStringAsync("/subscribers?edition=daily");
        string pending = await client.GetStringAsync("/subscribers?status=pending");
        string underscore = await client.GetStringAsync("/subscribers?q=N_B");
        string csv = await client.GetStringAsync("/subscribers/export.csv?edition=daily");
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/subscribers?q=ana"));
        var badStatus = await client.GetAsync("/api/subscribers?status=happy");

        Assert.Contains("ana@example.com", daily);
        Assert.DoesNotContain("ben_b@example.net", daily);
        Assert.DoesNotContain("cleo@example.org", daily); // pending: not yet a reader of daily
        Assert.Contains("cleo@example.org", pending);
        Assert.DoesNotContain("ana@example.com", pending);
        Assert.Contains("ben_b@example.net", underscore);
        Assert.DoesNotContain("ana@example.com", underscore);
        Assert.Equal("email,name,editions,status\r\n\"ana@example.com\",\"Ana\",\"daily\",\"confirmed\"\r\n", csv);
        Assert.Equal("ana@example.com", Assert.Single(json.RootElement.EnumerateArray()).GetProperty("email").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Contains("status: 'happy' is not a status", await badStatus.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Preview_ShowsDesktopPhoneAndTextFramesForTheChosenSubscriber()
    {
        using var host = Host();
        using var client = await EditorAsync(host);
        var ana = await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);

        string page = await client.GetStringAsync($"/preview?edition=daily&subscriber={ana.Id}");

        // Each digest is shown in a sandbox: no script in it runs, and it cannot reach the page around it.
        Assert.Contains($"<iframe id=\"desktop\" title=\"Desktop preview\" sandbox=\"\" class=\"desktop\" src=\"/preview/daily?subscriber={ana.Id}\">", page);
        Assert.Contains($"<iframe id=\"phone-dark\" title=\"Phone preview in dark mode\" sandbox=\"\" class=\"phone dark\" src=\"/preview/daily?subscriber={ana.Id}\">", page);
        Assert.Contains($"<iframe id=\"phone\" title=\"Phone preview\" sandbox=\"\" class=\"phone\" src=\"/preview/daily?subscriber={ana.Id}\">", page);
        Assert.Contains($"<iframe id=\"text\" title=\"Text preview\" sandbox=\"\" class=\"text\" src=\"/preview/daily.txt?subscriber={ana.Id}\">", page);
        Assert.Contains($"<option value=\"{ana.Id}\" selected=\"selected\">ana@example.com</option>", page);
        Assert.Contains("value=\"erin@newsroom.example.org\"", page);
    }

    [Fact]
    public async Task SendTest_GoesToTheEditorOverSmtp_AndItsUnsubscribeLinkIsNobodys()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = Host(sink);
        await host.DropArticleAsync("tram.txt");
        using var client = await EditorAsync(host);
        var ana = await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);

        var response = await WebForms.PostFormAsync(client, "/preview?edition=daily", "/preview",
            [new("edition", "daily"), new("to", "erin@newsroom.example.org")]);

        Assert.Contains("Test sent to erin@newsroom.example.org.", await response.Content.ReadAsStringAsync());
        var mail = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(["erin@newsroom.example.org"], mail.Recipients);
        Assert.StartsWith("[Test] The Daily Digest", mail.Message.Subject);
        Assert.Contains("Riverside Tram Line", mail.Message.TextBody ?? "");
        string unsubscribe = new Uri((mail.Message.Headers[MimeKit.HeaderId.ListUnsubscribe] ?? "").Split('<', '>')[1]).AbsolutePath;
        await host.CreateClient().PostAsync(unsubscribe, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.True(await host.Get<SubscriberStore>().IsSubscribedAsync(ana.Id, "daily"));
    }

    [Fact]
    public async Task SendTest_BadAddress_Is400SayingWhy()
    {
        using var host = Host();
        using var client = await EditorAsync(host);

        var response = await WebForms.PostFormAsync(client, "/preview", "/preview", [new("edition", "daily"), new("to", "erin@")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Test not sent: &#x27;erin@&#x27; is not an email address.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Articles_SearchFindsByHeadline_AndAnExcludedArticleStaysOutOfTheNextDigest()
    {
        using var host = Host();
        using var client = await EditorAsync(host);
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var tram = Assert.Single(await host.Get<Digest.Articles.ArticleStore>().ListRecentAsync(10));

        string found = await client.GetStringAsync("/articles?q=RIVERSIDE%20tram");
        string missed = await client.GetStringAsync("/articles?q=ferry");
        var excluded = await WebForms.PostFormAsync(client, "/articles", $"/articles/{tram.Id}/exclude", []);
        string list = await client.GetStringAsync("/articles");
        var report = await host.Get<Digest.Editions.EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        long firstRunSecond = host.Get<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();

        Assert.Contains("City Council Approves Riverside Tram Line", found);
        Assert.Contains("No headline contains", missed);
        Assert.Equal(HttpStatusCode.Redirect, excluded.StatusCode);
        Assert.Contains("excluded from the next digests", list);
        Assert.Null(report); // nothing new to send: the only article is held back
        Assert.False(Directory.Exists(host.OutboxPath) && Directory.EnumerateFiles(host.OutboxPath).Any());

        await WebForms.PostFormAsync(client, "/articles", $"/articles/{tram.Id}/include", []);
        // A manual run's slot is its second: the next run must fall in a later second to be a new run.
        while (host.Get<TimeProvider>().GetUtcNow().ToUnixTimeSeconds() <= firstRunSecond)
            await Task.Delay(20);
        var afterInclude = await host.Get<Digest.Editions.EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        Assert.Equal(1, afterInclude?.Sent);
    }

    [Fact]
    public async Task Articles_ExcludeWithoutSignIn_IsRefusedAndChangesNothing()
    {
        using var host = Host();
        using var client = WebForms.Client(host);
        await host.DropArticleAsync("tram.txt");
        var tram = Assert.Single(await host.Get<Digest.Articles.ArticleStore>().ListRecentAsync(10));

        var response = await client.PostAsync($"/articles/{tram.Id}/exclude", new FormUrlEncodedContent([]));

        // Sent to sign in, not served: an error page (a 500) would fail here as much as an accepted exclusion would.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location?.PathAndQuery);
        Assert.False(Assert.Single(await host.Get<Digest.Articles.ArticleStore>().ListWithRunsAsync(10)).Excluded);
    }
}

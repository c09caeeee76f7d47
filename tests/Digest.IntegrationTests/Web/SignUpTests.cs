using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>Double opt-in and preferences, with the confirmation mail read from a real SMTP server.</summary>
public sealed partial class SignUpTests
{
    [Fact]
    public async Task SignUp_SendsAConfirmationLink_AndOnlyConfirmingMakesTheSubscriberAReader()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        using var client = WebForms.Client(host);

        var response = await client.PostAsJsonAsync("/api/subscribers", new { name = "Ana", email = " Ana@Example.COM ", editions = new[] { "daily" } });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var mail = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(["ana@example.com"], mail.Recipients);
        Assert.Equal("Confirm your subscription to The Daily Digest", mail.Message.Subject);
        var ana = Assert.Single(await host.Get<SubscriberStore>().ListAsync());
        Assert.Equal(SubscriberStatus.Pending, ana.Status);
        Assert.False(await host.Get<SubscriberStore>().IsSubscribedAsync(ana.Id, "daily"));

        string link = ConfirmLink(mail.Message.TextBody);
        Assert.Contains(link, mail.Message.HtmlBody);
        var asked = await client.GetAsync(link);
        Assert.False(await host.Get<SubscriberStore>().IsSubscribedAsync(ana.Id, "daily")); // opening the link only asks
        var confirmed = await WebForms.PostFormAsync(client, link, link, []);

        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("You are subscribed", await confirmed.Content.ReadAsStringAsync());
        Assert.True(await host.Get<SubscriberStore>().IsSubscribedAsync(ana.Id, "daily"));
    }

    [Fact]
    public async Task SignUp_Again_AnswersExactlyTheSame_AndChangesNothingConfirmed()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        using var client = WebForms.Client(host);
        var known = await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var request = new { name = "Mallory", email = "ana@example.com", editions = new[] { "daily" } };

        var forKnown = await client.PostAsJsonAsync("/api/subscribers", request);
        var forNew = await client.PostAsJsonAsync("/api/subscribers", request with { email = "new@example.com" });

        Assert.Equal(forNew.StatusCode, forKnown.StatusCode);
        Assert.Equal(await forNew.Content.ReadAsStringAsync(), await forKnown.Content.ReadAsStringAsync());
        var after = await host.Get<SubscriberStore>().FindAsync(known.Id);
        Assert.Equal("Ana", after?.Name);
        Assert.Equal(SubscriberStatus.Confirmed, after?.Status);
        Assert.True(await host.Get<SubscriberStore>().IsSubscribedAsync(known.Id, "daily"));
    }

    [Fact]
    public async Task SignUp_RepeatedQuickly_SendsOneConfirmation_AndAnswersAlike()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        using var client = WebForms.Client(host);
        var request = new { name = "Ana", email = "ana@example.com", editions = new[] { "daily" } };

        var answers = new List<HttpResponseMessage>();
        for (int i = 0; i < 5; i++)
            answers.Add(await client.PostAsJsonAsync("/api/subscribers", request));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Single(await sink.WaitForAsync(2, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task SubscriberPages_SendNoReferrer_AndCannotBeFramedElsewhere()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);

        var page = await client.GetAsync("/subscribe");

        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("SAMEORIGIN", page.Headers.GetValues("X-Frame-Options").Single());
    }

    public static TheoryData<string, string, string[], string> BadSignUps => new()
    {
        { "Ana", "ana@example.com\r\nBcc: everyone@example.com", ["daily"], "email: the address contains a line break" },
        { "Ana", new string('a', 250) + "@example.com", ["daily"], "email: the address is 262 characters long; the limit is 254" },
        { "Ana", "ana.example.com", ["daily"], "email: 'ana.example.com' is not an email address" },
        { "Ana\nBcc: x", "ana@example.com", ["daily"], "name: contains a line break" },
        { new string('n', 101), "ana@example.com", ["daily"], "name: 101 characters long; the limit is 100" },
        { "Ana", "ana@example.com", ["hourly"], "editions: no edition named 'hourly'; editions are daily" },
        { "Ana", "ana@example.com", [], "editions: choose at least one of daily" },
    };

    [Theory]
    [MemberData(nameof(BadSignUps))]
    public async Task SignUp_BadInput_Is400SayingWhatIsWrong(string name, string email, string[] editions, string problem)
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);

        var response = await client.PostAsJsonAsync("/api/subscribers", new { name, email, editions });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync());
        Assert.Empty(await host.Get<SubscriberStore>().ListAsync());
    }

    [Fact]
    public async Task SignUpForm_BadAddress_Is400_KeepingWhatWasTyped()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);

        var response = await WebForms.PostFormAsync(client, "/subscribe", "/subscribe",
            [new("name", "Ana"), new("email", "ana@"), new("editions", "daily")]);

        string page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("email: &#x27;ana@&#x27; is not an email address", page);
        Assert.Contains("value=\"Ana\"", page);
    }

    [Fact]
    public async Task Confirm_ForgedOrExpiredLink_IsAClearErrorPage()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);
        var ana = await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var tokens = host.Get<SubscriberTokens>();
        string expired = tokens.Create(SubscriberLinks.Confirm, ana.Id, "*", TimeSpan.FromDays(-3));
        string wrongPurpose = tokens.Create(SubscriberLinks.Preferences, ana.Id, "*", TimeSpan.FromDays(3));
        string forged = tokens.Create(SubscriberLinks.Confirm, ana.Id, "*", TimeSpan.FromDays(3))[..^3] + "AAA";

        var expiredPage = await client.GetAsync($"/confirm/{expired}");
        var wrongPurposePage = await client.GetAsync($"/confirm/{wrongPurpose}");
        var forgedPage = await client.GetAsync($"/confirm/{forged}");

        Assert.Equal(HttpStatusCode.BadRequest, expiredPage.StatusCode);
        Assert.Contains("this link expired on", await expiredPage.Content.ReadAsStringAsync());
        foreach (var page in new[] { wrongPurposePage, forgedPage })
        {
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            Assert.Contains("this link is not valid", await page.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Preferences_PauseResumeLeaveAndComeBack_TakeEffectAtOnce()
    {
        using var host = new DigestTestHost(new Dictionary<string, string?>
        {
            ["Editions:weekly:Title"] = "The Weekly Digest",
            ["Editions:weekly:Cron"] = "0 8 1 1 *",
        });
        using var client = WebForms.Client(host);
        var store = host.Get<SubscriberStore>();
        var ana = await store.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        string page = new Uri(host.Get<SubscriberLinks>().PreferencesUrl(ana.Id)).AbsolutePath;

        await WebForms.PostFormAsync(client, page, page, [new("editions", "daily"), new("editions", "weekly"), new("paused", "on"), new("action", "save")]);
        bool pausedDaily = await store.IsSubscribedAsync(ana.Id, "daily");
        await WebForms.PostFormAsync(client, page, page, [new("editions", "weekly"), new("action", "save")]);
        bool resumedDaily = await store.IsSubscribedAsync(ana.Id, "daily"), resumedWeekly = await store.IsSubscribedAsync(ana.Id, "weekly");
        var left = await WebForms.PostFormAsync(client, page, page, [new("editions", "weekly"), new("action", "leave")]);
        bool leftWeekly = await store.IsSubscribedAsync(ana.Id, "weekly");
        await WebForms.PostFormAsync(client, page, page, [new("editions", "daily"), new("action", "save")]);

        Assert.False(pausedDaily);
        Assert.False(resumedDaily);
        Assert.True(resumedWeekly);
        Assert.Contains("You are unsubscribed from every edition", await left.Content.ReadAsStringAsync());
        Assert.False(leftWeekly);
        Assert.True(await store.IsSubscribedAsync(ana.Id, "daily"));
        Assert.Equal(SubscriberStatus.Confirmed, (await store.FindAsync(ana.Id))?.Status);
    }

    [Fact]
    public async Task Preferences_TimeZone_IsSaved_AndAnUnknownOneIsRefusedSayingWhy()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);
        var store = host.Get<SubscriberStore>();
        var ana = await store.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        string page = new Uri(host.Get<SubscriberLinks>().PreferencesUrl(ana.Id)).AbsolutePath;

        var saved = await WebForms.PostFormAsync(client, page, page, [new("editions", "daily"), new("timeZone", "America/New_York"), new("action", "save")]);
        var refused = await WebForms.PostFormAsync(client, page, page, [new("editions", "daily"), new("timeZone", "Mars/Olympus"), new("action", "save")]);

        Assert.Contains("value=\"America/New_York\"", await saved.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Not saved: time zone &#x27;Mars/Olympus&#x27; is not a known IANA time zone", await refused.Content.ReadAsStringAsync());
        Assert.Equal(["America/New_York"], await store.AudienceTimeZonesAsync("daily"));
    }

    [Fact]
    public async Task Archive_ShowsEachSentRunFromItsFrozenArticles_AndFeedsIt()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        string index = await client.GetStringAsync("/archive");
        string run = await client.GetStringAsync($"/archive/{report!.RunId}");
        string rss = await client.GetStringAsync("/archive.rss");

        Assert.Contains($"<a href=\"/archive/{report.RunId}\">The Daily Digest ", index);
        Assert.Contains("City Council Approves Riverside Tram Line After Decade of Debate", run);
        Assert.Contains("Shop owners on Canal Street &lt;fear&gt; two years of roadworks.", run);
        Assert.Contains($"<link>https://digest.example.org/archive/{report.RunId}</link>", rss);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/archive/999")).StatusCode);
    }

    private static string ConfirmLink(string? text)
    {
        var match = ConfirmUrl().Match(text ?? "");
        Assert.True(match.Success, $"no confirmation link in: {text}");
        return new Uri(match.Value).AbsolutePath;
    }

    [GeneratedRegex(@"https://digest\.example\.org/confirm/[\w-]+\.[\w-]+")]
    private static partial Regex ConfirmUrl();
}

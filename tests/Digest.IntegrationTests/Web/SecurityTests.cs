using System.Net;
using System.Net.Http.Json;
using Digest.App.Web.Access;
using Digest.Articles;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>One test per way in that must stay shut: cross-site posts, proxies in set-up mode, stale sessions, floods, hostile input.</summary>
public sealed class SecurityTests
{
    private const string Evil = "https://evil.example";

    private static async Task<HttpClient> SignedInAsync(DigestTestHost host, string user = "erin", string password = WebForms.EditorPassword)
    {
        var client = WebForms.Client(host);
        var signIn = await WebForms.SignInAsync(client, user, password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return client;
    }

    /// <summary>A form post another site's page could make with the signed-in editor's cookie: no antiforgery token.</summary>
    private static Task<HttpResponseMessage> CrossSitePostAsync(HttpClient client, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("Origin", Evil);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task CrossSitePost_ToExclude_IsRefused_AndTheArticleStaysIn()
    {
        using var host = new DigestTestHost(WebForms.Users());
        await host.DropArticleAsync("tram.txt");
        using var client = await SignedInAsync(host);
        var tram = Assert.Single(await host.Get<ArticleStore>().ListRecentAsync(10));

        var response = await CrossSitePostAsync(client, $"/articles/{tram.Id}/exclude");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(Assert.Single(await host.Get<ArticleStore>().ListWithRunsAsync(10)).Excluded);
    }

    [Fact]
    public async Task CrossSitePost_ToResend_IsRefused()
    {
        using var host = new DigestTestHost(WebForms.Users());
        await host.DropArticleAsync("tram.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var report = await host.Get<Digest.Editions.EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        using var client = await SignedInAsync(host);

        var response = await CrossSitePostAsync(client, $"/runs/{report!.RunId}/resend");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task CrossSitePost_ToSignOut_IsRefused_AndTheSessionGoesOn()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = await SignedInAsync(host);

        var response = await CrossSitePostAsync(client, "/signout");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task CrossSitePost_ToConfirm_IsRefused_AndTheAddressStaysUnconfirmed()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);
        var nora = await host.Get<SubscriberLifecycle>().SignUpAsync("nora@example.com", "Nora", ["daily"]);
        string link = new Uri(host.Get<SubscriberLinks>().ConfirmUrl(nora!.Id)).AbsolutePath;

        var response = await CrossSitePostAsync(client, link);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(SubscriberStatus.Pending, (await host.Get<SubscriberStore>().FindAsync(nora.Id))?.Status);
    }

    public static TheoryData<string, string> ProxyHeaders => new()
    {
        { "X-Real-IP", "203.0.113.9" },
        { "X-Forwarded-Host", "digest.example.org" },
        { "Via", "1.1 proxy.example.org" },
        { "True-Client-IP", "203.0.113.9" },
        { "CF-Connecting-IP", "203.0.113.9" },
        { "Forwarded", "for=203.0.113.9" },
    };

    [Theory]
    [MemberData(nameof(ProxyHeaders))]
    public async Task SetUpMode_ARequestRelayedByAProxy_DoesNotGetIn(string header, string value)
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);

        foreach (string page in new[] { "/subscribers", "/subscribers/export.csv", "/hangfire" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, page);
            request.Headers.Add(header, value);
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{page} with {header} answered {(int)response.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/subscribers")).StatusCode); // the machine itself still gets in
    }

    [Fact]
    public async Task SetUpMode_ARequestForAnotherHostName_DoesNotGetIn()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);

        // What a page on another site sees after pointing its own name at 127.0.0.1 (DNS rebinding).
        var request = new HttpRequestMessage(HttpMethod.Get, "/subscribers/export.csv");
        request.Headers.Host = "rebound.evil.example";
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public static TheoryData<string> UserChanges => ["removed", "demoted", "re-passworded"];

    [Theory]
    [MemberData(nameof(UserChanges))]
    public async Task ChangingAUsersSettings_EndsTheirSession(string change)
    {
        var settings = WebForms.Users();
        var live = new LiveSettings(settings);
        using var host = new DigestTestHost(live: live);
        using var client = await SignedInAsync(host, "ada", WebForms.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hangfire")).StatusCode);

        var changed = new Dictionary<string, string?>(settings);
        switch (change)
        {
            case "removed":
                changed.Remove("Users:ada:PasswordHash");
                changed.Remove("Users:ada:Roles:0");
                break;
            case "demoted":
                changed["Users:ada:Roles:0"] = "editor";
                break;
            default:
                changed["Users:ada:PasswordHash"] = PasswordHashes.Hash("a brand new password");
                break;
        }
        live.Replace(changed);

        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/subscribers")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignUp_ManyFromOneClient_AreCutOffWith429AndRetryAfter_AndSendNoMoreMail()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);

        var answers = new List<HttpResponseMessage>();
        for (int i = 0; i < 15; i++)
            answers.Add(await client.PostAsJsonAsync("/api/subscribers", new { email = $"reader{i}@example.com", editions = new[] { "daily" } }));

        Assert.Equal(10, answers.Count(a => a.StatusCode == HttpStatusCode.Accepted));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(5, refused.Count);
        Assert.All(refused, a => Assert.True(int.Parse(a.Headers.GetValues("Retry-After").Single()) > 0));
        Assert.Equal(10, Directory.GetFiles(host.OutboxPath, "*.eml").Length);
    }

    [Fact]
    public async Task SignUp_ConcurrentForOneAddress_SendsOneConfirmation()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);
        _ = host.Server;

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() =>
            client.PostAsJsonAsync("/api/subscribers", new { email = "ana@example.com", editions = new[] { "daily" } }))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Single(Directory.GetFiles(host.OutboxPath, "*.eml"));
    }

    [Fact]
    public async Task SignIn_ManyPostsFromOneClient_AreCutOffWith429AndRetryAfter()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var answers = new List<HttpResponseMessage>();
        for (int i = 0; i < 12; i++)
            answers.Add(await WebForms.SignInAsync(client, $"guess{i}", "not the password"));

        Assert.Equal(10, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(2, refused.Count);
        Assert.All(refused, a => Assert.True(a.Headers.RetryAfter is not null));
    }

    [Fact]
    public async Task SignIn_LockoutFromOneClient_DoesNotLockTheNameForAnother()
    {
        var settings = WebForms.Users();
        settings["Proxy:KnownProxies:0"] = "127.0.0.1"; // the test server's connections come from loopback
        using var host = new DigestTestHost(settings);
        using var attacker = WebForms.Client(host);
        attacker.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.66");
        using var erin = WebForms.Client(host);
        erin.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.7");

        for (int i = 0; i < SignInGuard.MaxFailures; i++)
            await WebForms.SignInAsync(attacker, "erin", "guess " + i);
        var attackerRight = await WebForms.SignInAsync(attacker, "erin", WebForms.EditorPassword);
        var erinRight = await WebForms.SignInAsync(erin, "erin", WebForms.EditorPassword);

        Assert.Equal(HttpStatusCode.Unauthorized, attackerRight.StatusCode);
        Assert.Contains("Too many failed attempts", await attackerRight.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, erinRight.StatusCode);
    }

    [Fact]
    public async Task SignIn_ReturnUrlWithAControlCharacter_GoesToTheStartPage()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var response = await WebForms.PostFormAsync(client, "/signin?returnUrl=%2F%09%2Fevil.example", "/signin",
            [new("userName", "erin"), new("password", WebForms.EditorPassword), new("returnUrl", "/\t/evil.example")]);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignUp_HugeBody_IsRefusedBeforeItIsRead_WithoutEchoingIt()
    {
        // The body limit is Kestrel's own (the test server has none): the real service, as its own process.
        using var folder = new TempFolder("digest-body-limit");
        await using var app = RunningDigest.Start(folder.Path, new Dictionary<string, string>
        {
            ["Editions:daily:Cron"] = "0 7 1 1 *",
            ["Storage:DataDirectory"] = folder.Combine("data"),
            ["Delivery:PickupDirectory"] = folder.Combine("data", "outbox"),
        });
        var url = new Uri(app.Url);
        await FreePort.WaitUntilListeningAsync(url.Port, TimeSpan.FromSeconds(60), () => app.Log);
        // As curl sends a large body: announce it and wait for the server's go-ahead (which it never gives). The wait
        // is unbounded here: after its default second, the client sends the body anyway, and on a loaded machine the
        // server's refusal then meets a body half-sent (a broken pipe instead of the answer).
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = url, DefaultRequestHeaders = { ExpectContinue = true } };
        var editions = Enumerable.Range(0, 400_000).Select(i => $"edition-{i:D8}-{new string('x', 40)}").ToArray();
        using var body = new ByteArrayContent(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { email = "ana@example.com", editions }))
        {
            Headers = { ContentType = new("application/json") },
        };

        var response = await client.PostAsync("/api/subscribers", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length < 2048);
        Assert.False(Directory.Exists(folder.Combine("data", "outbox")) && Directory.EnumerateFiles(folder.Combine("data", "outbox")).Any());
    }

    [Fact]
    public async Task SignUp_ManyUnknownEditions_NamesAFewOfThem()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);
        var editions = Enumerable.Range(0, 500).Select(i => $"edition-{i}-{new string('x', 80)}").ToArray();

        var response = await client.PostAsJsonAsync("/api/subscribers", new { email = "ana@example.com", editions });

        string answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("and 495 more", answer);
        Assert.True(answer.Length < 2048, answer);
    }

    [Fact]
    public async Task OverHttps_CookiesAreSecure_AndHstsIsSent()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = host.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://digest.example.org") });

        var signInPage = await client.GetAsync("/signin");
        var signIn = await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword);

        Assert.Contains("max-age=31536000", signInPage.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.All(signInPage.Headers.GetValues("Set-Cookie"), cookie => Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase));
        Assert.All(signIn.Headers.GetValues("Set-Cookie"), cookie => Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task BehindAConfiguredTlsProxy_CookiesAreSecure_AndAnUnknownSendersHeadersAreIgnored()
    {
        var trusted = WebForms.Users();
        trusted["Proxy:KnownProxies:0"] = "127.0.0.1";
        using var behindProxy = new DigestTestHost(trusted);
        using var direct = new DigestTestHost(WebForms.Users());

        async Task<string> CookieAsync(DigestTestHost host)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/signin");
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
            var response = await WebForms.Client(host).SendAsync(request);
            return response.Headers.GetValues("Set-Cookie").Single();
        }

        Assert.Contains("secure", await CookieAsync(behindProxy), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", await CookieAsync(direct), StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string> Pages => ["/signin", "/subscribe", "/archive", "/articles/nothing-here", "/nowhere", "/", "/articles", "/subscribers", "/runs", "/preview"];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task EveryPage_CarriesAContentSecurityPolicy(string page)
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = await SignedInAsync(host);

        var response = await client.GetAsync(page);

        string policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", policy);
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
    }

    [Fact]
    public async Task ThePreviewedDigest_IsServedInASandbox()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = await SignedInAsync(host);

        var response = await client.GetAsync("/preview/daily");

        string policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("sandbox", policy);
        Assert.Contains("default-src 'none'", policy);
    }
}

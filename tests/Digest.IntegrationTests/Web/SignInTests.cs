using System.Net;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Web;

/// <summary>Nobody reaches editor or operator pages without signing in with the right role.</summary>
public sealed class SignInTests
{
    public static TheoryData<string> EditorPages => ["/", "/preview/daily", "/preview/daily.txt", "/articles", "/preview", "/subscribers", "/subscribers/import", "/subscribers/export.csv", "/runs", "/runs/1"];

    public static TheoryData<string> EditorApis => ["/api/subscribers"];

    [Theory]
    [MemberData(nameof(EditorApis))]
    public async Task AnonymousApi_Is401(string api)
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var response = await client.GetAsync(api);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/preview")]
    [InlineData("/subscribers/import")]
    [InlineData("/runs/1/resend")]
    public async Task AnonymousFormPost_RedirectsToSignIn_AndDoesNothing(string action)
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        using var form = new MultipartFormDataContent { { new StringContent("daily"), "edition" }, { new StringContent("x@example.com"), "to" } };

        var response = await client.PostAsync(action, form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?returnUrl=", response.Headers.Location?.PathAndQuery);
        Assert.Empty(await host.Get<Digest.Subscribers.SubscriberStore>().ListAsync());
    }

    

    [Theory]
    [MemberData(nameof(EditorPages))]
    public async Task AnonymousPage_RedirectsToSignIn(string page)
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var response = await client.GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/signin?returnUrl={Uri.EscapeDataString(page)}", response.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task AnonymousDashboard_RedirectsToSignIn()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?returnUrl=", response.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task Health_StaysPublic()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Editor_SignsIn_ReachesEditorPages_ButNotTheDashboard()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var signIn = await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/preview/daily.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task Admin_SignsIn_ReachesTheDashboard_WithoutTheConnectionString()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        await WebForms.SignInAsync(client, "ADA", WebForms.AdminPassword);
        var dashboard = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Hangfire Dashboard", await dashboard.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/preview/daily.txt")).StatusCode);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);
        await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword);

        var signOut = await WebForms.PostFormAsync(client, "/signin", "/signout", []);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongPassword_Is401_AndSaysSoWithoutNamingWhichPartWasWrong()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var wrongPassword = await WebForms.SignInAsync(client, "erin", "not the password");
        var unknownUser = await WebForms.SignInAsync(client, "nobody", "not the password");

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Contains("Wrong user name or password.", await wrongPassword.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        Assert.Contains("Wrong user name or password.", await unknownUser.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignIn_AfterFiveFailures_LocksTheNameOut_EvenForTheRightPassword()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        for (int i = 0; i < 5; i++)
            await WebForms.SignInAsync(client, "erin", "guess " + i);
        var right = await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword);

        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Contains("Too many failed attempts", await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRefused()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var response = await client.PostAsync("/signin", new FormUrlEncodedContent(
            [new("userName", "erin"), new("password", WebForms.EditorPassword)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignIn_NeverRedirectsOffSite()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);

        var response = await WebForms.PostFormAsync(client, "/signin", "/signin",
            [new("userName", "erin"), new("password", WebForms.EditorPassword), new("returnUrl", "//evil.example.com/")]);

        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task NoUsersConfigured_LocalRequestsGetIn_ProxiedOnesDoNot()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);

        var local = await client.GetAsync("/preview/daily.txt");
        var request = new HttpRequestMessage(HttpMethod.Get, "/preview/daily.txt");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        var proxied = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, proxied.StatusCode);
    }

    [Fact]
    public async Task PlainPasswordInSettings_StopsStartup_NamingTheSetting()
    {
        using var folder = new TempFolder();

        // The real service: the operator reads the failure on its console and exit code, not as an exception.
        var result = await DigestProcess.RunAsync(folder.Path, new Dictionary<string, string>
        {
            ["Storage:DataDirectory"] = folder.Combine("data"),
            ["Users:erin:PasswordHash"] = "hunter2",
            ["Users:erin:Roles:0"] = "editor",
        });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Users:erin:PasswordHash: not a password hash", result.Error);
    }
}

using System.Net;
using Digest.App.Web.Access;
using Digest.IntegrationTests.Infrastructure;
using Digest.IntegrationTests.Web;
using Digest.Subscribers;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.ScaleOut;

/// <summary>
/// The README's multi-machine deployment: web fronts and workers, each in its own folder (nothing shared but
/// PostgreSQL and the settings), as on separate machines.
/// </summary>
public sealed class SplitDeploymentTests
{
    [Fact]
    public async Task LinkSignedByWorker_InItsOwnFolder_UnsubscribesOnTheWebFront()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        await using var sink = await SmtpSink.StartAsync();
        using var seed = new TempFolder("digest-seed");
        using var webFolder = new TempFolder("digest-web");
        using var workerFolder = new TempFolder("digest-worker");
        var settings = new ServiceSettings(sink.Port) { PostgresConnectionString = await postgres.CreateDatabaseAsync(), Cron = "* * * * *" };
        foreach (var folder in new[] { seed, webFolder, workerFolder })
            await settings.WriteAsync(folder.Path);
        using var engine = await DigestEngine.StartAsync(seed.Path);
        await SeedAsync(engine.Services, 0, "ana@example.com");
        var ana = Assert.Single(await engine.Services.GetRequiredService<SubscriberStore>().ListAsync());

        await using var web = RunningDigest.Start(webFolder.Path, new Dictionary<string, string> { ["Process:Role"] = "Web" });
        await using var worker = RunningDigest.Start(workerFolder.Path, new Dictionary<string, string> { ["Process:Role"] = "Worker" });
        var sent = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromMinutes(2))).Message;
        string header = sent.Headers[HeaderId.ListUnsubscribe]!;
        var link = new Uri(header[(header.IndexOf('<') + 1)..header.IndexOf('>')]);

        using var http = new HttpClient { BaseAddress = new Uri(web.Url) };
        await WaitUntilServingAsync(web);
        var response = await http.PostAsync(link.AbsolutePath, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await engine.Services.GetRequiredService<SubscriberStore>().IsSubscribedAsync(ana.Id, "daily"));
        web.AssertNoErrorsLogged();
        worker.AssertNoErrorsLogged();
        // Neither made up a secret of its own.
        Assert.False(File.Exists(Path.Combine(webFolder.Path, "data", "token-secret.key")));
        Assert.False(File.Exists(Path.Combine(workerFolder.Path, "data", "token-secret.key")));
    }

    [Fact]
    public async Task TwoWebFronts_InTheirOwnFolders_AcceptEachOthersFormsAndSignInCookies()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        using var first = new TempFolder("digest-web-a");
        using var second = new TempFolder("digest-web-b");
        var settings = new ServiceSettings(SmtpPort: 25) { PostgresConnectionString = await postgres.CreateDatabaseAsync() };
        var web = new Dictionary<string, string> { ["Process:Role"] = "Web" };
        foreach (var (key, value) in WebForms.Users())
            web[key] = value!;
        await settings.WriteAsync(first.Path);
        await settings.WriteAsync(second.Path);
        await using var a = RunningDigest.Start(first.Path, web);
        await using var b = RunningDigest.Start(second.Path, web);
        using var cookies = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var http = new HttpClient(cookies);
        await WaitUntilServingAsync(a);
        await WaitUntilServingAsync(b);

        // The sign-in form comes from one front and is posted to the other, whose cookie then opens the first.
        var signedIn = await WebForms.PostFormAsync(http, $"{a.Url}/signin", $"{b.Url}/signin",
            [new("userName", "erin"), new("password", WebForms.EditorPassword), new("returnUrl", "/")]);
        var home = await http.GetAsync($"{a.Url}/");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        a.AssertNoErrorsLogged();
        b.AssertNoErrorsLogged();
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("Worker")]
    public async Task Process_InWebOrWorkerRole_WithoutTokenSecret_RefusesToStart_SayingHowToMakeOne(string role)
    {
        using var folder = new TempFolder();

        var result = await DigestProcess.RunAsync(folder.Path, Settings(folder, role, secret: ""));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest cannot start:", result.Error);
        Assert.Contains($"Security:TokenSecret: required with Process:Role {role}", result.Error);
        Assert.Contains("every process needs the same secret", result.Error);
        Assert.Contains("openssl rand -base64 48", result.Error);
        Assert.False(File.Exists(folder.Combine("data", "token-secret.key")));
    }

    [Theory]
    [InlineData("All")]
    [InlineData("Worker")]
    public async Task Process_WithShortTokenSecret_RefusesToStart_WithoutShowingIt(string role)
    {
        using var folder = new TempFolder();

        var result = await DigestProcess.RunAsync(folder.Path, Settings(folder, role, secret: "short-secret"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Security:TokenSecret: 12 characters is too short; it must be at least 32", result.Error);
        Assert.DoesNotContain("short-secret", result.Error);
    }

    private static Dictionary<string, string> Settings(TempFolder folder, string role, string secret) => new()
    {
        ["Storage:DataDirectory"] = folder.Combine("data"),
        // Settings are checked before the store is reached: nothing listens on port 9.
        ["Storage:Provider"] = role == "All" ? "Sqlite" : "Postgres",
        ["Storage:ConnectionString"] = role == "All" ? "" : "Host=127.0.0.1;Port=9;Database=digest;Username=digest",
        ["Process:Role"] = role,
        ["Security:TokenSecret"] = secret,
        ["Editions:daily:Cron"] = "0 7 * * *",
        ["Editions:daily:TimeZone"] = "Europe/Berlin",
    };

    private static async Task WaitUntilServingAsync(RunningDigest process)
    {
        using var http = new HttpClient { BaseAddress = new Uri(process.Url) };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/signin")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"the web front did not start; it said:{Environment.NewLine}{process.Log}");
            await Task.Delay(100);
        }
    }
}

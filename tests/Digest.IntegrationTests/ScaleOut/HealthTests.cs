using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.ScaleOut;

/// <summary>
/// Health as orchestrators probe it, on a web front and a worker sharing PostgreSQL: ready while a worker is alive,
/// 503 naming "workers" once the only worker is gone and a run waits, 503 naming "database" once PostgreSQL stops,
/// live throughout; strangers see the status and check names only.
/// </summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Readiness_FailsNamingTheCheck_WhenTheOnlyWorkerStopsWithWorkWaiting_AndWhenPostgresStops()
    {
        var postgres = await PostgresCluster.StartAsync();
        await using var sink = await SmtpSink.StartAsync();
        using var work = new TempFolder("digest-health");
        await new ServiceSettings(sink.Port) { PostgresConnectionString = await postgres.CreateDatabaseAsync() }.WriteAsync(work.Path);
        // A user exists: nobody is let in as the local operator, so the probes below are strangers.
        var settings = new Dictionary<string, string> { ["Users:ada:PasswordHash"] = Digest.App.Web.Access.PasswordHashes.Hash("a long enough password"), ["Users:ada:Roles:0"] = "admin" };
        await using var web = RunningDigest.Start(work.Path, new Dictionary<string, string>(settings) { ["Process:Role"] = "Web" });
        var worker = RunningDigest.Start(work.Path, new Dictionary<string, string>(settings) { ["Process:Role"] = "Worker" });
        using var http = new HttpClient { BaseAddress = new Uri(web.Url), Timeout = TimeSpan.FromSeconds(30) };
        await FreePort.WaitUntilListeningAsync(new Uri(web.Url).Port, TimeSpan.FromSeconds(60), () => web.Log);

        var ready = await WaitForAsync(http, "/healthz/ready", HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.Body.GetProperty("status").GetString());
        Assert.Equal(["database", "job-storage", "workers"], CheckNames(ready.Body));
        Assert.DoesNotContain(Environment.MachineName, ready.Text);
        Assert.DoesNotContain(worker.ProcessId.ToString(), ready.Text);

        await worker.KillAsync();
        await worker.DisposeAsync();
        using (var engine = await DigestEngine.StartAsync(work.Path))
        {
            await SeedAsync(engine.Services, readers: 2);
            Assert.Equal(RunStatus.Sending, (await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily")).Status);
        }
        var noWorker = await WaitForAsync(http, "/healthz/ready", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", Check(noWorker.Body, "workers"));
        Assert.Equal("Healthy", Check(noWorker.Body, "database"));
        Assert.DoesNotContain("run(s) sending", noWorker.Text); // the reason is for admins

        await postgres.DisposeAsync();
        var storeDown = await WaitForAsync(http, "/healthz/ready", HttpStatusCode.ServiceUnavailable, body => Check(body, "database") == "Unhealthy");
        Assert.Equal("application/json", storeDown.ContentType);
        Assert.Equal("Unhealthy", storeDown.Body.GetProperty("status").GetString());
        Assert.DoesNotContain("127.0.0.1", storeDown.Text);
        var live = await http.GetAsync("/healthz/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.False(web.HasExited);
    }

    private sealed record Answer(HttpStatusCode Status, string ContentType, string Text, JsonElement Body);

    private static async Task<Answer> WaitForAsync(HttpClient http, string path, HttpStatusCode expected, Func<JsonElement, bool>? also = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = await http.GetAsync(path);
            string text = await response.Content.ReadAsStringAsync();
            var answer = new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", text,
                text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default);
            if (answer.Status == expected && (also is null || also(answer.Body)))
                return answer;
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
                Assert.Fail($"{path} did not answer {expected} within 90 s; last: {(int)answer.Status} {text}");
            await Task.Delay(250);
        }
    }

    private static string[] CheckNames(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).Order().ToArray();

    private static string? Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("status").GetString();
}

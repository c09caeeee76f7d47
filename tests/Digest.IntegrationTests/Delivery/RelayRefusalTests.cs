using Digest.Delivery;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// A wrong relay password is the operator's problem, not the recipients': the run stops sending with an alert that
/// names the setting, nobody is charged an attempt, <c>send --now</c> says so and fails, and once the password is
/// fixed the service resumes the run and everyone gets one copy.
/// </summary>
public sealed class RelayRefusalTests
{
    private const string User = "digest";
    private const string Password = "the-right-password";

    [Fact]
    public async Task WrongPassword_StopsTheRunWithAnAlertNamingTheSetting_AndTheFixedServiceResumesIt()
    {
        await using var relay = await TlsRelay.StartAsync(User, Password);
        using var work = new TempFolder("digest-auth");
        await new ServiceSettings(relay.Server.Port).WriteAsync(work.Path);
        using (var engine = await DigestEngine.StartAsync(work.Path))
            await SeedAsync(engine.Services, readers: 3);

        var send = await DigestProcess.RunAsync(work.Path, Relay(relay, "a-wrong-password"), "send", "daily", "--now");
        var show = await DigestProcess.RunAsync(work.Path, Relay(relay, "a-wrong-password"), "runs", "show", "1");

        Assert.Equal(8, send.ExitCode);
        Assert.Contains("Run 1: 0 sent, 0 failed, 3 to retry, 0 skipped.", send.Output);
        Assert.Contains("Nothing more can be sent until this is fixed: SMTP server 127.0.0.1:", send.Error);
        Assert.Contains("refused the user name or password", send.Error);
        Assert.Contains("check Delivery:Smtp:Username and Delivery:Smtp:Password", send.Error);
        Assert.Contains("alert: SMTP server 127.0.0.1:", show.Output);
        Assert.Contains("check Delivery:Smtp:Username and Delivery:Smtp:Password", show.Output);
        Assert.Empty(relay.Server.Messages());

        await using (var service = RunningDigest.Start(work.Path, Relay(relay, Password)))
        {
            await relay.Server.WaitForAsync(3, TimeSpan.FromSeconds(120));
            await service.WaitForLogAsync("the relay accepts Digest again; sending resumed");
            Assert.DoesNotContain("fail:", service.Log);
        }

        using var after = await DigestEngine.StartAsync(work.Path);
        var ledger = await LedgerAsync(after.Services, 1);
        Assert.All(ledger, entry => Assert.Equal((DeliveryStatus.Sent, 1L), (entry.Status, entry.Attempts))); // the refused pass cost nothing
        AssertExactlyOnce(ledger, relay.Server.Messages());
        Assert.Null((await after.Services.GetRequiredService<RunMonitor>().GetAsync(1))!.Alert);
    }

    [Fact]
    public async Task WrongPassword_MakesHealthUnhealthyNamingTheSetting_WhileReadinessStaysUp()
    {
        await using var relay = await TlsRelay.StartAsync(User, Password);
        using var work = new TempFolder("digest-auth-health");
        await new ServiceSettings(relay.Server.Port).WriteAsync(work.Path);
        using (var engine = await DigestEngine.StartAsync(work.Path))
            await SeedAsync(engine.Services, readers: 2);
        var send = await DigestProcess.RunAsync(work.Path, Relay(relay, "a-wrong-password"), "send", "daily", "--now");
        Assert.Equal(8, send.ExitCode);

        await using var service = RunningDigest.Start(work.Path, Relay(relay, "a-wrong-password"));
        await FreePort.WaitUntilListeningAsync(new Uri(service.Url).Port, TimeSpan.FromSeconds(60), () => service.Log);
        using var http = new HttpClient { BaseAddress = new Uri(service.Url) };
        var health = await http.GetAsync("/healthz");
        var ready = await http.GetAsync("/healthz/ready");

        // Nothing goes out until the operator acts: a monitor must page, though the process itself is fine.
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        var smtp = body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "smtp");
        Assert.Equal("Unhealthy", smtp.GetProperty("status").GetString());
        Assert.Contains("run 1 of daily waits", smtp.GetProperty("description").GetString());
        Assert.Contains("check Delivery:Smtp:Username and Delivery:Smtp:Password", smtp.GetProperty("description").GetString());
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }

    private static Dictionary<string, string> Relay(TlsRelay relay, string password) => new()
    {
        ["Delivery:Smtp:Security"] = "StartTls",
        ["Delivery:Smtp:TrustedCaFile"] = relay.CaFile,
        ["Delivery:Smtp:CheckCertificateRevocation"] = "false",
        ["Delivery:Smtp:Username"] = User,
        ["Delivery:Smtp:Password"] = password,
    };
}

using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>The operator's CLI on a run with failures: see who failed and why, then resend to them.</summary>
public sealed class RunsCliTests
{
    [Fact]
    public async Task RunsShow_ListsFailedRecipientsWithReply_AndRunsResend_SendsToThemAgain()
    {
        await using var server = await PerRecipientSmtpServer.StartAsync();
        using var work = new TempFolder("digest-cli");
        await new ServiceSettings(server.Port).WriteAsync(work.Path);
        long runId;
        using (var engine = await DigestEngine.StartAsync(work.Path))
        {
            await SeedAsync(engine.Services, readers: 3, "nobody@example.com", "blocked@example.com");
            runId = (await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily")).Id;
            await engine.Services.GetRequiredService<RunSender>().SendAsync(runId);
        }
        var noSettings = new Dictionary<string, string>();

        var show = await DigestProcess.RunAsync(work.Path, noSettings, "runs", "show", runId.ToString());
        var resend = await DigestProcess.RunAsync(work.Path, noSettings, "runs", "resend", runId.ToString());
        var missing = await DigestProcess.RunAsync(work.Path, noSettings, "runs", "show", "999");

        Assert.Equal(0, show.ExitCode);
        Assert.Contains($"Run {runId} (daily) completed: 3/5 sent, 2 failed, 0 to retry, 0 skipped, 0 pending", show.Output);
        Assert.Contains("failed  nobody@example.com  after 1 attempt(s): 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown", show.Output);
        Assert.Contains("failed  blocked@example.com  after 1 attempt(s): 550 5.7.1 Message rejected by policy: sender reputation", show.Output);
        Assert.Equal(3, resend.ExitCode); // something still failed
        Assert.Contains($"Run {runId}: resending to 2 failed recipient(s).", resend.Output);
        Assert.Contains($"Run {runId}: 0 sent, 1 failed, 0 to retry, 1 skipped.", resend.Output);
        Assert.Equal((1, $"There is no run 999. See: runs list"), (missing.ExitCode, missing.Error.Trim()));
        Assert.Equal(3, server.Messages().Count);
    }

    [Fact]
    public async Task RunsList_ShowsACompletedRunsRateOverItsSend_NotZero()
    {
        await using var server = await PerRecipientSmtpServer.StartAsync();
        using var work = new TempFolder("digest-cli");
        await new ServiceSettings(server.Port).WriteAsync(work.Path);
        long runId;
        using (var engine = await DigestEngine.StartAsync(work.Path))
        {
            await SeedAsync(engine.Services, readers: 4);
            runId = (await engine.Services.GetRequiredService<EditionRunner>().StartNowAsync("daily")).Id;
            await engine.Services.GetRequiredService<RunSender>().SendAsync(runId);
        }

        var list = await DigestProcess.RunAsync(work.Path, new Dictionary<string, string>(), "runs", "list");

        Assert.Equal(0, list.ExitCode);
        var line = System.Text.RegularExpressions.Regex.Match(list.Output,
            $@"Run {runId} \(daily\) completed: 4/4 sent, 0 failed, 0 to retry, 0 skipped, 0 pending · (?<rate>[0-9.]+) msg/s · ETA 00:00:00");
        Assert.True(line.Success, list.Output);
        Assert.True(double.Parse(line.Groups["rate"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, line.Value);
    }
}

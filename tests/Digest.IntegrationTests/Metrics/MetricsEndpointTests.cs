using System.Net;
using System.Text.RegularExpressions;
using Digest.Delivery;
using Digest.IntegrationTests.Infrastructure;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Metrics;

/// <summary>
/// The management port's <c>/metrics</c>, scraped over real HTTP after real runs against smtp-sink. Every host in this
/// test process shares the meter's name, so each assertion picks its own sink's series by the server label.
/// </summary>
public sealed partial class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_AfterARun_CountEveryMessageTheServerAccepted_UnderThatServer()
    {
        await using var sink = await SmtpSink.StartAsync();
        int port = FreePort.Next();
        using var started = await StartRunAsync(WithMetrics(SmtpSettings(sink.Port), port), readers: 7);
        var (host, run) = started;

        var report = await host.Get<RunSender>().SendAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((7, 0, 0, true), (report.Sent, report.Failed, report.Retrying, report.Completed));
        Assert.Equal(7, (await sink.WaitForAsync(7, TimeSpan.FromSeconds(10))).Count);

        string metrics = await ScrapeAsync(port);
        string server = $"127.0.0.1:{sink.Port}";
        Assert.Equal(7, Value(metrics, "digest_messages_sent_total", server));
        Assert.Null(Value(metrics, "digest_messages_failed_total", server));
        Assert.Null(Value(metrics, "digest_messages_deferred_total", server));
        // Each accepted message timed once.
        Assert.Equal(7, Value(metrics, "digest_send_duration_seconds_count", server));
        Assert.Matches(@"(?m)^digest_ledger_commit_duration_seconds_count(\{[^}]*\})? [1-9]", metrics);
    }

    [Fact]
    public async Task Metrics_AfterARunTheServerRefusedForGood_CountEachMessageAsFailed_UnderThatServer()
    {
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT");
        int port = FreePort.Next();
        using var started = await StartRunAsync(WithMetrics(SmtpSettings(sink.Port), port), readers: 3);
        var (host, run) = started;

        var report = await host.Get<RunSender>().SendAsync(run.Id).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((0, 3, true), (report.Sent, report.Failed, report.Completed));

        string metrics = await ScrapeAsync(port);
        string server = $"127.0.0.1:{sink.Port}";
        Assert.Equal(3, Value(metrics, "digest_messages_failed_total", server));
        Assert.Null(Value(metrics, "digest_messages_sent_total", server));
    }

    [Fact]
    public async Task Metrics_AreServedOnlyOnTheManagementPort_NeverOnTheSite()
    {
        await using var sink = await SmtpSink.StartAsync();
        int port = FreePort.Next();
        using var host = DigestTestHost.SendingTo(sink, WithMetrics([], port));
        using var site = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var answer = await site.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.DoesNotContain("digest_", await answer.Content.ReadAsStringAsync());
        // ... while the management port serves them.
        Assert.Contains("# TYPE", await ScrapeAsync(port));
    }

    private static Dictionary<string, string?> WithMetrics(Dictionary<string, string?> settings, int port)
    {
        settings["Metrics:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    private static async Task<string> ScrapeAsync(int port)
    {
        using var http = new HttpClient();
        var answer = await http.GetAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return await answer.Content.ReadAsStringAsync();
    }

    /// <summary>The value of <paramref name="name"/>'s series labelled with <paramref name="server"/>; null when there is none.</summary>
    private static double? Value(string metrics, string name, string server)
    {
        var line = Series().Matches(metrics).FirstOrDefault(m => m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains($"server=\"{server}\""));
        return line is null ? null : double.Parse(line.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"(?m)^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\S+)")]
    private static partial Regex Series();
}

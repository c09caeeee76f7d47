using System.Text.Json;
using Dapper;
using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Digest.Subscribers;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.IntegrationTests.Delivery;

/// <summary>One ledger row as the delivery tests check it.</summary>
public sealed record LedgerEntry(string Email, string Status, string MessageId, long Attempts, string? LastReply);

/// <summary>Shared steps of the delivery tests: an article and an audience in the store, a run, and the exactly-once check.</summary>
/// <summary>A test host with a run started on it; disposing it stops the host.</summary>
public sealed record StartedRun(DigestTestHost Host, Run Run) : IDisposable
{
    public void Dispose() => Host.Dispose();
}

internal static class DeliveryScenario
{
    public static string Reader(int i) => $"reader{i:D5}@example.com";

    /// <summary>Settings for the test host that send over SMTP to the given loopback ports, in plain text.</summary>
    public static Dictionary<string, string?> SmtpSettings(params int[] ports)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Delivery:Transport"] = "Smtp",
            ["Delivery:BatchSize"] = "50",
            ["Delivery:RetryBackoff"] = "00:00:00.500",
            ["Delivery:Smtp:Timeout"] = "00:00:05",
            ["Delivery:Smtp:ServerBackoff"] = "00:00:01",
        };
        for (int i = 0; i < ports.Length; i++)
        {
            settings[$"Delivery:Smtp:Servers:{i}:Host"] = "127.0.0.1";
            settings[$"Delivery:Smtp:Servers:{i}:Port"] = ports[i].ToString();
            settings[$"Delivery:Smtp:Servers:{i}:Security"] = "None";
            settings[$"Delivery:Smtp:Servers:{i}:Connections"] = "2";
        }
        return settings;
    }

    /// <summary>
    /// A test host on <paramref name="settings"/>, serving, with the fixture article, <paramref name="readers"/>
    /// numbered subscribers plus any named, and a run of "daily" started for them.
    /// </summary>
    public static async Task<StartedRun> StartRunAsync(Dictionary<string, string?> settings, int readers, params string[] named)
    {
        var host = new DigestTestHost(settings);
        _ = host.Server;
        await SeedAsync(host.Services, readers, named);
        // The service resumes unfinished runs the moment it starts: that pass must be over before the run exists, or
        // it would send the run beside the test's own pass.
        await JobsIdleAsync(host.Get<JobStorage>(), TimeSpan.FromSeconds(60));
        return new StartedRun(host, await host.Get<EditionRunner>().StartNowAsync("daily"));
    }

    public static async Task JobsIdleAsync(JobStorage storage, TimeSpan timeout)
    {
        var monitoring = storage.GetMonitoringApi();
        var deadline = DateTime.UtcNow + timeout;
        while (monitoring.Queues().Sum(q => q.Length) > 0 || monitoring.ProcessingCount() > 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the service's start-up jobs did not finish");
            await Task.Delay(20);
        }
    }

    /// <summary>The fixture article, stored, and confirmed "daily" subscribers: <paramref name="readers"/> numbered ones plus any named.</summary>
    public static async Task SeedAsync(IServiceProvider services, int readers, params string[] named)
    {
        byte[] text = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles", "tram.txt"));
        var article = ArticleParser.Parse(text).Article ?? throw new InvalidOperationException("the fixture article does not parse");
        await services.GetRequiredService<ArticleStore>().AddAsync(article, new ArticleOrigin("test"));
        var subscribers = services.GetRequiredService<SubscriberStore>();
        foreach (string email in named.Concat(Enumerable.Range(1, readers).Select(Reader)))
            await subscribers.AddConfirmedAsync(email, email.Split('@')[0], ["daily"]);
    }

    /// <summary>Polls the ledger until the run is complete, or fails with where it stands.</summary>
    /// <summary>Waits until the sink holds <paramref name="count"/> messages from the running service (at most a minute).</summary>
    public static async Task WaitForMessagesAsync(SmtpSink sink, int count, RunningDigest service)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (sink.CompleteCount() < count)
        {
            if (service.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"the service did not send {count} messages; it said:\n{service.Log}");
            await Task.Delay(20);
        }
    }

    public static async Task<RunProgress> WaitForCompletionAsync(IServiceProvider services, long runId, TimeSpan timeout)
    {
        var monitor = services.GetRequiredService<RunMonitor>();
        var deadline = DateTime.UtcNow + timeout;
        RunProgress? progress;
        do
        {
            progress = await monitor.GetAsync(runId);
            if (progress?.Status == RunStatus.Completed)
                return progress;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"run {runId} did not complete within {timeout}: {progress?.Line()}");
    }

    /// <summary>
    /// Waits until no sender holds a claim on the run: the service's own resume job may be sending it beside the test.
    /// </summary>
    public static async Task<IReadOnlyList<LedgerEntry>> SettledLedgerAsync(IServiceProvider services, long runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<LedgerEntry> ledger;
        while ((ledger = await LedgerAsync(services, runId)).Any(e => e.Status == DeliveryStatus.Sending) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return ledger;
    }

    /// <summary>
    /// Waits until every entry has been tried at least once. While a server keeps deferring, the service's own resume
    /// job tries due retries again beside the test, so an entry may be caught between tries ("sending").
    /// </summary>
    public static async Task<IReadOnlyList<LedgerEntry>> TriedLedgerAsync(IServiceProvider services, long runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<LedgerEntry> ledger;
        while ((ledger = await LedgerAsync(services, runId)).Any(e => e.Attempts == 0) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return ledger;
    }

    /// <summary>Waits until the run's ledger shows <paramref name="what"/>, or fails saying where it stands.</summary>
    public static async Task WaitForLedgerAsync(IServiceProvider services, long runId, Func<IReadOnlyList<LedgerEntry>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<LedgerEntry> ledger;
        while (!condition(ledger = await LedgerAsync(services, runId)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"run {runId}: {what} did not happen within 30 s: " +
                                           string.Join(", ", ledger.GroupBy(e => e.Status).Select(g => $"{g.Count()} {g.Key}")));
            await Task.Delay(20);
        }
    }

    public static async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(IServiceProvider services, long runId)
    {
        await using var connection = await services.GetRequiredService<Database>().OpenAsync();
        var rows = await connection.QueryAsync<LedgerEntry>("""
            SELECT p.email AS Email, d.status AS Status, d.message_id AS MessageId, d.attempts AS Attempts, d.last_reply AS LastReply
            FROM deliveries d JOIN subscribers p ON p.id = d.subscriber_id WHERE d.run_id = @runId ORDER BY p.email
            """, new { runId });
        return rows.ToList();
    }

    /// <summary>
    /// Nothing missing, nothing doubled: the server received exactly one message per ledger entry marked sent, to
    /// that subscriber with that entry's Message-ID, and nothing else.
    /// </summary>
    public static void AssertExactlyOnce(IReadOnlyList<LedgerEntry> ledger, IReadOnlyList<ReceivedMessage> received)
    {
        var expected = ledger.Where(e => e.Status == DeliveryStatus.Sent).Select(e => $"{e.Email} {e.MessageId}").Order().ToList();
        var actual = received.Select(m => $"{Assert.Single(m.Recipients)} {m.Message.MessageId}").Order().ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// After a crash: every ledger entry is sent and every subscriber received the digest; the only repeats are the
    /// messages that were in flight (at most one per SMTP connection of the killed process), and every copy, a repeat
    /// included, carries the ledger's Message-ID, so a receiver can tell a resend from a new mail.
    /// </summary>
    public static void AssertEveryoneOnce_ButInFlight(IReadOnlyList<LedgerEntry> ledger, IReadOnlyList<ReceivedMessage> received, int inFlightLimit)
    {
        Assert.All(ledger, entry => Assert.Equal(DeliveryStatus.Sent, entry.Status));
        var byRecipient = received.GroupBy(m => Assert.Single(m.Recipients)).ToDictionary(g => g.Key, g => g.ToList());
        var messageIds = ledger.ToDictionary(e => e.Email, e => e.MessageId);
        Assert.Equal(messageIds.Keys.Order(), byRecipient.Keys.Order());
        Assert.All(byRecipient, pair => Assert.All(pair.Value, m => Assert.Equal(messageIds[pair.Key], m.Message.MessageId)));
        var repeated = byRecipient.Where(pair => pair.Value.Count > 1).ToList();
        Assert.True(repeated.Count <= inFlightLimit && repeated.All(pair => pair.Value.Count == 2),
            $"only the message in flight on each of the {inFlightLimit} connections may repeat; repeated: " +
            string.Join(", ", repeated.Select(pair => $"{pair.Key} x{pair.Value.Count}")));
    }
}

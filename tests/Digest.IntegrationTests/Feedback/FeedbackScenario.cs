using Dapper;
using Digest.Delivery;
using Digest.Editions;
using Digest.Feedback;
using Digest.IntegrationTests.Delivery;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Digest.Subscribers;
using MimeKit;

namespace Digest.IntegrationTests.Feedback;

/// <summary>Shared steps of the feedback tests: a sent run, samples addressed to its copies, and the store's view of a subscriber.</summary>
internal static class FeedbackScenario
{
    /// <summary>A host (pickup transport, the mailbox given) that has sent one run of "daily" to the named subscribers.</summary>
    public static async Task<StartedRun> SentRunAsync(Dictionary<string, string?> settings, params string[] subscribers)
    {
        var started = await DeliveryScenario.StartRunAsync(settings, 0, subscribers);
        await started.Host.Get<RunSender>().SendAsync(started.Run.Id);
        await DeliveryScenario.WaitForCompletionAsync(started.Host.Services, started.Run.Id, TimeSpan.FromSeconds(60));
        return started;
    }

    /// <summary>A sample from Fixtures/feedback, about the copy of <paramref name="runId"/> sent to <paramref name="email"/>.</summary>
    public static async Task<MimeMessage> SampleAsync(DigestTestHost host, string kindAndFile, long runId, string email)
    {
        long subscriber = (await SubscriberAsync(host, email)).Id;
        string text = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "feedback", kindAndFile));
        text = text.Replace("digest.12.34@", $"digest.{runId}.{subscriber}@", StringComparison.Ordinal);
        return MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    public static async Task<Subscriber> SubscriberAsync(DigestTestHost host, string email) =>
        (await host.Get<SubscriberStore>().ListAsync()).Single(s => s.Email == email);

    public static async Task<string?> SubscriptionAsync(DigestTestHost host, string email, string edition = "daily")
    {
        await using var connection = await host.Get<Database>().OpenAsync();
        return await connection.ExecuteScalarAsync<string?>("""
            SELECT s.status FROM subscriptions s JOIN subscribers p ON p.id = s.subscriber_id WHERE p.email = @email AND s.edition = @edition
            """, new { email, edition });
    }

    public static async Task<long> EventCountAsync(DigestTestHost host)
    {
        await using var connection = await host.Get<Database>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM feedback_events");
    }
}

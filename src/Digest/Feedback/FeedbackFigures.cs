using Dapper;
using Digest.Delivery;
using Digest.Storage;

namespace Digest.Feedback;

/// <summary>One recorded piece of feedback, with the provider's reason in its own words.</summary>
public sealed record FeedbackEvent(long Id, string Kind, string Source, long? RunId, long? SubscriberId, string? Email, string? Edition,
    string? Reason, string Effect, DateTimeOffset ReceivedAt);

/// <summary>
/// What came back after one run: bounces (hard, soft), complaints and unsubscribes, each as a share of the copies
/// accepted, and warnings where receivers start to distrust a sender (complaints over 0.1%, hard bounces over 2%,
/// the thresholds Gmail's and Yahoo's bulk-sender rules and the relays use).
/// </summary>
public sealed record RunFeedback(long RunId, int Sent, int HardBounces, int SoftBounces, int Complaints, int Unsubscribes,
    IReadOnlyList<FeedbackEvent> Events)
{
    public const double ComplaintRateLimit = 0.001;
    public const double HardBounceRateLimit = 0.02;

    public double HardBounceRate => Rate(HardBounces);
    public double SoftBounceRate => Rate(SoftBounces);
    public double ComplaintRate => Rate(Complaints);
    public double UnsubscribeRate => Rate(Unsubscribes);

    public IReadOnlyList<string> Warnings =>
    [
        .. ComplaintRate > ComplaintRateLimit
            ? [$"complaint rate {Percent(ComplaintRate)} is over {Percent(ComplaintRateLimit, "0.0")}: receivers will start filtering these digests as spam"]
            : Array.Empty<string>(),
        .. HardBounceRate > HardBounceRateLimit
            ? [$"hard-bounce rate {Percent(HardBounceRate)} is over {Percent(HardBounceRateLimit, "0")}: the list holds dead addresses (old import?)"]
            : Array.Empty<string>(),
    ];

    private double Rate(int count) => Sent == 0 ? 0 : (double)count / Sent;

    private static string Percent(double rate, string format = "0.00") =>
        (rate * 100).ToString(format, System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>One line for the command line.</summary>
    public string Line() =>
        $"feedback: {HardBounces} hard bounce(s) ({Percent(HardBounceRate)}), {SoftBounces} soft ({Percent(SoftBounceRate)}), " +
        $"{Complaints} complaint(s) ({Percent(ComplaintRate)}), {Unsubscribes} unsubscribe(s) ({Percent(UnsubscribeRate)}) of {Sent} sent";
}

/// <summary>
/// The engine's read side of feedback, for the command line, the JSON API and the run and subscriber pages:
/// <see cref="ForRunAsync"/> and <see cref="ForSubscriberAsync"/>.
/// </summary>
public sealed class FeedbackFigures(Database database)
{
    private const string EventColumns = """
        f.id AS Id, f.kind AS Kind, f.source AS Source, f.run_id AS RunId, f.subscriber_id AS SubscriberId, p.email AS Email,
        f.edition AS Edition, f.reason AS Reason, f.effect AS Effect, f.received_at AS ReceivedAt
        """;

    /// <summary>The run's figures and its latest <paramref name="limit"/> events; null when there is no such run.</summary>
    public async Task<RunFeedback?> ForRunAsync(long runId, int limit = 200, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE id = @runId", new { runId }) == 0)
            return null;
        int sent = await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM deliveries WHERE run_id = @runId AND status = @sent", new { runId, sent = DeliveryStatus.Sent });
        var counts = (await connection.QueryAsync<(string Kind, long Count)>(
                "SELECT kind, COUNT(*) FROM feedback_events WHERE run_id = @runId AND counted = 1 GROUP BY kind", new { runId }))
            .ToDictionary(c => c.Kind, c => (int)c.Count);
        var events = await EventsAsync(connection, "f.run_id = @key", runId, limit);
        return new RunFeedback(runId, sent, counts.GetValueOrDefault(FeedbackKind.HardBounce), counts.GetValueOrDefault(FeedbackKind.SoftBounce),
            counts.GetValueOrDefault(FeedbackKind.Complaint), counts.GetValueOrDefault(FeedbackKind.Unsubscribe), events);
    }

    /// <summary>Everything that came back about one subscriber, newest first.</summary>
    public async Task<IReadOnlyList<FeedbackEvent>> ForSubscriberAsync(long subscriberId, int limit = 200, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await EventsAsync(connection, "f.subscriber_id = @key", subscriberId, limit);
    }

    private static async Task<IReadOnlyList<FeedbackEvent>> EventsAsync(System.Data.Common.DbConnection connection, string where, long key, int limit)
    {
        var rows = await connection.QueryAsync<EventRow>($"""
            SELECT {EventColumns} FROM feedback_events f LEFT JOIN subscribers p ON p.id = f.subscriber_id
            WHERE {where} ORDER BY f.received_at DESC, f.id DESC LIMIT @limit
            """, new { key, limit });
        return rows.Select(r => new FeedbackEvent(r.Id, r.Kind, r.Source, r.RunId, r.SubscriberId, r.Email, r.Edition, r.Reason, r.Effect,
            Clock.Parse(r.ReceivedAt))).ToList();
    }

    private sealed record EventRow(long Id, string Kind, string Source, long? RunId, long? SubscriberId, string? Email, string? Edition,
        string? Reason, string Effect, string ReceivedAt);
}

using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Digest.Subscribers;
using MimeKit;

namespace Digest.Tests.Editions;

/// <summary>
/// An edition with DeliverAt "07:00" composes once and reaches each subscriber at 07:00 on the subscriber's own
/// clock, everyone getting the same articles.
/// </summary>
public sealed class LocalTimeDeliveryTests
{
    // 06:00 in Berlin: the run composes; copies leave at 07:00 Berlin, 07:00 New York and 07:00 Tokyo (the next one).
    private static readonly DateTimeOffset Slot = new(2026, 11, 24, 5, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset BerlinSeven = new(2026, 11, 24, 7, 0, 0, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset NewYorkSeven = new(2026, 11, 24, 7, 0, 0, TimeSpan.FromHours(-5));
    private static readonly DateTimeOffset TokyoSeven = new(2026, 11, 25, 7, 0, 0, TimeSpan.FromHours(9));

    [Fact]
    public async Task DeliverAt_ComposesOnce_AndEachSubscriberGetsTheSameDigestAtSevenLocal()
    {
        await using var harness = await SchedulerHarness.CreateAsync(Slot.AddMinutes(-10), new Dictionary<string, string?>
        {
            ["Editions:daily:Cron"] = "0 6 * * *",
            ["Editions:daily:TimeZone"] = "Europe/Berlin",
            ["Editions:daily:DeliverAt"] = "07:00",
        });
        var subscribers = harness.Get<SubscriberStore>();
        await subscribers.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]); // no zone of her own: the edition's
        var ben = await subscribers.AddConfirmedAsync("ben@example.net", "Ben", ["daily"]);
        await subscribers.SetTimeZoneAsync(ben.Id, "America/New_York");
        var chiyo = await subscribers.AddConfirmedAsync("chiyo@example.jp", "Chiyo", ["daily"]);
        await subscribers.SetTimeZoneAsync(chiyo.Id, "Asia/Tokyo");
        var article = ArticleParser.Parse(Fixture.Bytes("basic-sample-shape.txt")).Article!;
        await harness.Get<ArticleStore>().AddAsync(article, new ArticleOrigin("test"));
        await harness.StartSchedulerAsync();

        await harness.RunUntilAsync(Slot, TimeSpan.FromMinutes(5));
        Assert.Equal([Slot], harness.Queued.Slots("daily"));
        Assert.Equal([BerlinSeven, NewYorkSeven, TokyoSeven], harness.Queued.SendPasses);

        // What Hangfire would run: the queued slot now, then each scheduled send pass when it falls due.
        var jobs = harness.Get<EditionJobs>();
        await jobs.FireAsync("daily", Slot, CancellationToken.None);
        var received = new List<string>();
        Assert.Empty(Recipients(harness));
        var run = Assert.Single(await harness.Get<RunMonitor>().RecentAsync(1));
        Assert.Equal(["1 held until 2026-11-24 07:00 Europe/Berlin (06:00Z)", "1 held until 2026-11-24 07:00 America/New_York (12:00Z)",
                "1 held until 2026-11-25 07:00 Asia/Tokyo (22:00Z)"],
            (await harness.Get<RunMonitor>().HeldAsync(run.RunId, "daily")).Select(h => h.ToString()));
        foreach (var due in new[] { BerlinSeven, NewYorkSeven, TokyoSeven })
        {
            await harness.RunUntilAsync(due.AddSeconds(-1), TimeSpan.FromHours(1));
            await jobs.ResumeUnfinishedAsync(CancellationToken.None);
            Assert.Equal(received, Recipients(harness)); // nobody early
            await harness.AdvanceAsync(TimeSpan.FromSeconds(1));
            await jobs.ResumeUnfinishedAsync(CancellationToken.None);
            received = Recipients(harness);
        }

        Assert.Equal(["ana@example.com", "ben@example.net", "chiyo@example.jp"], received);
        var messages = Directory.GetFiles(harness.OutboxPath, "*.eml").Select(file => MimeMessage.Load(file)).ToList();
        Assert.Single(messages.Select(m => m.Subject).Distinct());
        Assert.All(messages, m => Assert.Contains(article.Headline, m.TextBody));
        Assert.Equal([BerlinSeven, NewYorkSeven, TokyoSeven], messages.OrderBy(m => m.Date).Select(m => m.Date));
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29T00:00+01:00", "2026-03-29T03:00+02:00")] // 02:30 does not exist that night
    [InlineData("America/New_York", "2026-11-01T00:00-04:00", "2026-11-01T01:30-04:00")] // the first of the two 01:30s
    public void DueAt_AcrossDst_IsTheIntendedLocalHourOnce(string zone, string slot, string expected)
    {
        var hour = zone == "Europe/Berlin" ? new TimeOnly(2, 30) : new TimeOnly(1, 30);

        var due = LocalDelivery.DueAt(DateTimeOffset.Parse(slot), hour, zone, TimeZoneInfo.Utc);

        Assert.Equal(DateTimeOffset.Parse(expected), due);
    }

    private static List<string> Recipients(SchedulerHarness harness) =>
        Directory.Exists(harness.OutboxPath)
            ? Directory.GetFiles(harness.OutboxPath, "*.eml").Select(f => MimeMessage.Load(f).To.Mailboxes.Single().Address).Order().ToList()
            : [];
}

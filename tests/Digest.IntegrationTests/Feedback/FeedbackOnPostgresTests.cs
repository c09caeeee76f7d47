using Digest.Feedback;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using static Digest.IntegrationTests.Feedback.FeedbackScenario;

namespace Digest.IntegrationTests.Feedback;

/// <summary>Feedback, its figures and personal data on a real PostgreSQL cluster: the same SQL as on SQLite.</summary>
public sealed class FeedbackOnPostgresTests : IAsyncLifetime
{
    private PostgresCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task BounceUnsubscribeFiguresAndErasure_WorkOnPostgres()
    {
        using var started = await SentRunAsync(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await _cluster.CreateDatabaseAsync(),
        }, "ana@example.com", "ben@mailhost.example");
        var (host, run) = started;
        var classifier = host.Get<FeedbackClassifier>();
        var processor = host.Get<FeedbackProcessor>();

        var bounce = await processor.ApplyAsync("mailbox:1", FeedbackSource.Mailbox,
            classifier.Classify(await SampleAsync(host, "hard-bounce/exim-permanent.eml", run.Id, "ben@mailhost.example")));
        var unsubscribe = await processor.ApplyAsync("mailbox:2", FeedbackSource.Mailbox,
            classifier.Classify(await SampleAsync(host, "unsubscribe/gmail-mailto.eml", run.Id, "ana@example.com")));
        var again = await processor.ApplyAsync("mailbox:2", FeedbackSource.Mailbox,
            classifier.Classify(await SampleAsync(host, "unsubscribe/gmail-mailto.eml", run.Id, "ana@example.com")));
        var figures = await host.Get<FeedbackFigures>().ForRunAsync(run.Id);
        long ben = (await SubscriberAsync(host, "ben@mailhost.example")).Id;
        var export = await host.Get<PersonalData>().ExportAsync(ben);
        bool erased = await host.Get<PersonalData>().EraseAsync(ben, "the subscriber");

        Assert.Equal(("suppressed", "unsubscribed from daily", true), (bounce.Effect, unsubscribe.Effect, again.Duplicate));
        Assert.Equal((2, 1, 1), (figures!.Sent, figures.HardBounces, figures.Unsubscribes));
        Assert.Equal(FeedbackKind.HardBounce, Assert.Single(export!.Feedback).Kind);
        Assert.True(erased);
        Assert.Equal(PersonalData.Erased, (await host.Get<SubscriberStore>().FindAsync(ben))!.Status);
        Assert.Null(Assert.Single(await host.Get<FeedbackFigures>().ForSubscriberAsync(ben)).Reason);
        Assert.Equal(SubscriberStatus.Unsubscribed, await SubscriptionAsync(host, "ana@example.com"));
    }
}

using Dapper;
using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;

namespace Digest.Tests.Editions;

/// <summary>
/// An edition with Review: Required holds each run until an editor approves it; nobody approving it by the review
/// deadline sends it anyway or skips it, as AfterReviewDeadline says. Time is fake: the deadline passes in the test.
/// </summary>
public sealed class RunReviewTests
{
    private static readonly DateTimeOffset Slot = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Deadline_SendAnyway_SendsNothingBefore_ThenSendsTheRunOnceToEveryone()
    {
        await using var harness = await HeldRunAsync("SendAnyway");
        var jobs = harness.Get<EditionJobs>();

        harness.Time.Advance(TimeSpan.FromMinutes(119));
        await jobs.ResumeUnfinishedAsync(CancellationToken.None);
        Assert.Empty(Sent(harness));
        Assert.Equal("awaiting approval until 2026-11-24 08:00 UTC, then sends anyway", (await StateAsync(harness)).Wording);

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await jobs.ResumeUnfinishedAsync(CancellationToken.None);
        await jobs.ResumeUnfinishedAsync(CancellationToken.None);

        Assert.Equal(["ana@example.com", "ben@example.net"], Sent(harness));
        var state = await StateAsync(harness);
        Assert.Equal(RunStatus.Completed, state.Run.Status);
        Assert.Equal("sent anyway: nobody approved it by 2026-11-24 08:00 UTC", state.Wording);
        Assert.False(await harness.Get<RunReview>().ApproveAsync(state.Run.Id, "erin"), "a run the deadline decided cannot be approved again");
        AssertNoErrors(harness);
    }

    [Fact]
    public async Task Deadline_Skip_SendsNothing_AndTheRunSaysSkipped()
    {
        await using var harness = await HeldRunAsync("Skip");
        var jobs = harness.Get<EditionJobs>();

        harness.Time.Advance(TimeSpan.FromHours(2));
        await jobs.ResumeUnfinishedAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromHours(1));
        await jobs.ResumeUnfinishedAsync(CancellationToken.None);

        Assert.Empty(Sent(harness));
        var state = await StateAsync(harness);
        Assert.Equal(RunStatus.Skipped, state.Run.Status);
        Assert.Equal("skipped: nobody approved it by 2026-11-24 08:00 UTC", state.Wording);
        var progress = (await harness.Get<RunMonitor>().GetAsync(state.Run.Id))!;
        Assert.Equal((2, 0, 0), (progress.Skipped, progress.Pending, progress.Sent)); // the ledger says nobody was sent it
        Assert.False(await harness.Get<EditionJobs>().ApproveAsync(state.Run.Id, "erin", CancellationToken.None));
        Assert.Equal(0, harness.Queued.BatchesQueued);
        Assert.Empty(Sent(harness));
        AssertNoErrors(harness);
    }

    [Fact]
    public async Task Approve_Twice_FansOutOnce_AndTheDeadlineLaterChangesNothing()
    {
        await using var harness = await HeldRunAsync("Skip");
        var jobs = harness.Get<EditionJobs>();
        long runId = (await StateAsync(harness)).Run.Id;
        await jobs.ResumeUnfinishedAsync(CancellationToken.None);
        Assert.Empty(Sent(harness));

        Assert.True(await jobs.ApproveAsync(runId, "erin", CancellationToken.None));
        Assert.False(await jobs.ApproveAsync(runId, "ada", CancellationToken.None));
        Assert.Equal(1, harness.Queued.BatchesQueued);
        harness.Time.Advance(TimeSpan.FromHours(3)); // past the deadline: the run is decided already
        await jobs.ResumeUnfinishedAsync(CancellationToken.None);

        Assert.Equal(["ana@example.com", "ben@example.net"], Sent(harness));
        var state = await StateAsync(harness);
        Assert.Equal(RunStatus.Completed, state.Run.Status);
        Assert.StartsWith("approved by erin at 2026-11-24 06:00 UTC", state.Wording);
        AssertNoErrors(harness);
    }

    [Fact]
    public async Task Changes_ToADecidedRun_AreRefused_AndChangeNothing()
    {
        await using var harness = await HeldRunAsync("Skip");
        var review = harness.Get<RunReview>();
        long runId = (await StateAsync(harness)).Run.Id;
        var (articles, _) = await review.ContentAsync(runId);
        Assert.True(await review.SaveNoteAsync(runId, "Held for a day.", "erin"));
        Assert.True(await review.ApproveAsync(runId, "erin"));

        Assert.False(await review.ExcludeAsync(runId, articles[0].Id, "erin"));
        Assert.False(await review.SaveNoteAsync(runId, "Too late.", "erin"));

        var after = await review.ContentAsync(runId);
        Assert.Equal(articles.Select(a => a.Id), after.Articles.Select(a => a.Id));
        Assert.Equal("Held for a day.", after.Note);
    }

    /// <summary>A daily edition needing review (deadline two hours after its slot), two subscribers, one article; its slot has fired.</summary>
    private static async Task<SchedulerHarness> HeldRunAsync(string afterDeadline)
    {
        var harness = await SchedulerHarness.CreateAsync(Slot, new Dictionary<string, string?>
        {
            ["Editions:daily:Cron"] = "0 6 * * *",
            ["Editions:daily:TimeZone"] = "UTC",
            ["Editions:daily:Review"] = "Required",
            ["Editions:daily:ReviewDeadline"] = "02:00:00",
            ["Editions:daily:AfterReviewDeadline"] = afterDeadline,
        });
        var subscribers = harness.Get<SubscriberStore>();
        await subscribers.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        await subscribers.AddConfirmedAsync("ben@example.net", "Ben", ["daily"]);
        await harness.Get<ArticleStore>().AddAsync(ArticleParser.Parse(Fixture.Bytes("basic-sample-shape.txt")).Article!, new ArticleOrigin("test"));
        await harness.Get<EditionJobs>().FireAsync("daily", Slot, CancellationToken.None);
        Assert.Equal(RunStatus.AwaitingApproval, (await StateAsync(harness)).Run.Status);
        Assert.Equal(0, harness.Queued.BatchesQueued);
        return harness;
    }

    private static async Task<RunReviewState> StateAsync(SchedulerHarness harness)
    {
        long runId;
        await using (var connection = await harness.Get<Database>().OpenAsync())
            runId = await connection.ExecuteScalarAsync<long>("SELECT MAX(id) FROM runs");
        return (await harness.Get<RunReview>().GetAsync(runId))!;
    }

    /// <summary>Who the outbox has a digest for, in order; each address once per copy.</summary>
    private static List<string> Sent(SchedulerHarness harness) => !Directory.Exists(harness.OutboxPath) ? []
        : Directory.GetFiles(harness.OutboxPath, "*.eml").Select(file => MimeKit.MimeMessage.Load(file))
            .SelectMany(m => m.To.Mailboxes.Select(a => a.Address)).Order(StringComparer.Ordinal).ToList();

    private static void AssertNoErrors(SchedulerHarness harness) =>
        Assert.DoesNotContain(harness.Logs.Lines, line => line.StartsWith(nameof(LogLevel.Error), StringComparison.Ordinal)
            || line.StartsWith(nameof(LogLevel.Warning), StringComparison.Ordinal));
}

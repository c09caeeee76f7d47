using System.Net;
using System.Text.RegularExpressions;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.IntegrationTests.Web;
using Digest.Storage;
using Digest.Subscribers;
using Hangfire;
using MimeKit;

namespace Digest.IntegrationTests.Editions;

/// <summary>
/// An edition with Review: Required, through the real host and smtp-sink: the slot's run waits for an editor, who is
/// emailed a link to its review page, previews it, takes an article out, edits the note and approves it; only then
/// does each subscriber get one copy. Nobody else reaches the review page or its buttons.
/// </summary>
public sealed partial class ReviewBeforeSendTests
{
    private const string Library = "Public Library Extends Opening Hours Across All Branches";
    private const string HeatPumps = "Heat Pump Installations Double as Grid Operator Eases Connection Rules";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task HeldRun_SendsNothingUntilApproved_ThenOneCopyEach_WithoutTheArticleTakenOut_AndWithTheEditedNote(StorageProvider storage)
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var runs = await RunStore.StartAsync(storage);
        using var host = DigestTestHost.SendingTo(sink, await runs.SettingsAsync(ReviewSettings("1.00:00:00", "Skip")));
        using var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        await host.DropArticleAsync("email-01-library.txt");
        await host.DropArticleAsync("email-02-heatpumps.txt");
        var store = host.Get<SubscriberStore>();
        await store.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var ben = await store.AddConfirmedAsync("ben@example.net", "Ben", ["daily"]);
        await host.Get<EditionNotes>().SaveAsync("daily", "Written before the slot.", "erin");

        // The slot fires as the scheduler fires it: a Hangfire job.
        var slot = DateTimeOffset.UtcNow.AddTicks(-(DateTimeOffset.UtcNow.Ticks % TimeSpan.TicksPerMinute));
        host.Get<IBackgroundJobClient>().Enqueue<EditionJobs>(job => job.FireAsync("daily", slot, CancellationToken.None));
        var notice = Assert.Single(await sink.WaitForAsync(1, Patience));

        // The notice goes to the editor with an address (ada has none), outside the ledger, with the review page's absolute link.
        Assert.Equal(["erin@newsroom.example.org"], notice.Recipients);
        Assert.StartsWith("Review needed: The Daily Digest for ", notice.Message.Subject);
        string link = ReviewLink().Match(notice.Message.TextBody ?? "").Value;
        Assert.Contains($"href=\"{link}\"", notice.Message.HtmlBody);
        string path = new Uri(link).AbsolutePath;
        Assert.Matches("^/runs/[0-9]+/review$", path);
        long runId = long.Parse(path.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(RunStatus.AwaitingApproval, (await host.Get<RunMonitor>().GetAsync(runId))!.Status);
        string page = WebUtility.HtmlDecode(await client.GetStringAsync(path));
        Assert.Contains("This run is awaiting approval until ", page);
        Assert.Contains(", then is skipped.", page);
        Assert.Contains(Library, page);
        Assert.Contains("Written before the slot.", page);

        // Held: a batch or resume pass that runs anyway sends nothing.
        Assert.Equal(0, (await host.Get<RunSender>().SendAsync(runId)).Sent);
        await host.Get<EditionJobs>().ResumeUnfinishedAsync(CancellationToken.None);
        Assert.Single(sink.Messages());

        // The frozen run as Ben gets it, both parts.
        string html = await client.GetStringAsync($"{path}/digest?subscriber={ben.Id}");
        string text = await client.GetStringAsync($"{path}/digest.txt?subscriber={ben.Id}");
        foreach (string part in new[] { html, text })
        {
            Assert.Contains("Hello Ben", part);
            Assert.Contains(Library, part);
            Assert.Contains(HeatPumps, part);
            Assert.Contains("Written before the slot.", part);
        }

        long heatPumps = (await host.Get<Digest.Articles.ArticleStore>().ListRecentAsync(10)).Single(a => a.Content.Headline == HeatPumps).Id;
        var excluded = await WebForms.PostFormAsync(client, path, $"{path}/Exclude", [new("article", heatPumps.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var noted = await WebForms.PostFormAsync(client, path, $"{path}/Note", [new("Note", "**Edited** at review.")]);
        Assert.Equal(HttpStatusCode.Redirect, excluded.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, noted.StatusCode);
        string reviewed = await client.GetStringAsync($"{path}/digest");
        Assert.DoesNotContain(HeatPumps, reviewed);
        Assert.Contains("<strong>Edited</strong> at review.", reviewed);
        Assert.Empty(sink.Messages().Skip(1));

        var approved = await WebForms.PostFormAsync(client, path, $"{path}/Approve", []);
        var again = await WebForms.PostFormAsync(client, path, $"{path}/Approve", []);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal($"/runs/{runId}", approved.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Already decided: nothing more is sent.", await again.Content.ReadAsStringAsync());

        await WaitForAsync(async () => (await host.Get<RunMonitor>().GetAsync(runId))!.Status == RunStatus.Completed, "the approved run did not complete");
        var copies = (await sink.WaitForAsync(3, Patience)).Where(m => m.Message.MessageId != notice.Message.MessageId).ToList();
        await host.Get<EditionJobs>().ResumeUnfinishedAsync(CancellationToken.None); // a pass after completion owes nobody anything
        Assert.Equal(["ana@example.com", "ben@example.net"], copies.SelectMany(c => c.Recipients).Order(StringComparer.Ordinal));
        Assert.Equal(3, sink.Messages().Count);
        foreach (var copy in copies.Select(c => c.Message))
        {
            foreach (string part in new[] { copy.HtmlBody ?? "", copy.TextBody ?? "" })
            {
                Assert.Contains(Library, part);
                Assert.DoesNotContain(HeatPumps, part);
                Assert.DoesNotContain("Written before the slot.", part);
            }
            Assert.Contains("<strong>Edited</strong> at review.", copy.HtmlBody);
            Assert.Contains("**Edited** at review.", copy.TextBody);
        }
        Assert.Contains("This run is approved by erin at ", WebUtility.HtmlDecode(await client.GetStringAsync($"/runs/{runId}")));
        AssertJobsSucceeded(host, "FireAsync", "SendBatchAsync");
        host.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task ReviewPage_IsClosedToAnyoneNotSignedIn_AndRefusesAPostWithoutAntiforgeryToken()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink, ReviewSettings("1.00:00:00", "Skip"));
        await host.DropArticleAsync("email-01-library.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var run = await host.Get<EditionRunner>().StartAsync("daily", DateTimeOffset.UtcNow.AddSeconds(-1));
        string path = ReviewNotice.ReviewPath(run.Id);
        using var anonymous = WebForms.Client(host);
        using var editor = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(editor, "erin", WebForms.EditorPassword)).StatusCode);

        var page = await anonymous.GetAsync(path);
        var digest = await anonymous.GetAsync($"{path}/digest");
        var approve = await anonymous.PostAsync($"{path}/Approve", new FormUrlEncodedContent([]));
        var forged = await editor.PostAsync($"{path}/Approve", new FormUrlEncodedContent([]));

        foreach (var refused in new[] { page, digest, approve })
        {
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            var location = refused.Headers.Location!;
            Assert.StartsWith("/signin", location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
        }
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode); // signed in, but no antiforgery token: nothing approved
        Assert.Equal(RunStatus.AwaitingApproval, (await host.Get<RunMonitor>().GetAsync(run.Id))!.Status);
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync(path)).StatusCode);
        Assert.Empty(sink.Messages());
    }

    [Fact]
    public async Task Deadline_SendAnyway_SurvivesARestart_AndTheRunSaysItWasSentAnyway()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var data = new TempFolder("digest-review");
        var settings = ReviewSettings("00:00:03", "SendAnyway");
        settings["Storage:DataDirectory"] = data.Path;
        long runId;
        DateTimeOffset deadline;
        using (var first = DigestTestHost.SendingTo(sink, settings))
        {
            await first.DropArticleAsync("email-01-library.txt");
            await first.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
            runId = (await first.Get<EditionRunner>().StartAsync("daily", DateTimeOffset.UtcNow.AddSeconds(-1))).Id;
            Assert.Equal(RunStatus.AwaitingApproval, (await first.Get<RunMonitor>().GetAsync(runId))!.Status);
            deadline = (await first.Get<RunReview>().GetAsync(runId))!.Until;
            var before = await RunsPageAsync(first);
            Assert.Contains(", then sends anyway", before);
        }

        // The deadline passes while Digest is down; the restarted service's resume job decides the run and sends it.
        while (DateTimeOffset.UtcNow <= deadline)
            await Task.Delay(100);
        using var second = DigestTestHost.SendingTo(sink, settings);
        _ = second.Server;
        await WaitForAsync(async () => (await second.Get<RunMonitor>().GetAsync(runId))!.Status == RunStatus.Completed, "the run was not sent anyway");

        // Decided before anyone was told, so no notice: the one message is the copy.
        var copy = Assert.Single(await sink.WaitForAsync(1, Patience));
        Assert.Equal(["ana@example.com"], copy.Recipients);
        Assert.Contains(Library, copy.Message.TextBody);
        string runs = await RunsPageAsync(second);
        Assert.Contains("sent anyway: nobody approved it by", runs);
        AssertJobsSucceeded(second, "ResumeUnfinishedAsync");
        second.AssertNoErrorsLogged();
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task Deadline_Skip_EndToEnd_SendsNothing_AndTheRunPageSaysSkipped(StorageProvider storage)
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var runs = await RunStore.StartAsync(storage);
        var settings = ReviewSettings("00:00:01", "Skip");
        settings.Remove("Users:erin:Email"); // nobody to tell: only a digest could reach the sink
        using var host = DigestTestHost.SendingTo(sink, await runs.SettingsAsync(settings));
        await host.DropArticleAsync("email-01-library.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var run = await host.Get<EditionRunner>().StartAsync("daily", DateTimeOffset.UtcNow.AddSeconds(-2));

        host.Get<IBackgroundJobClient>().Enqueue<EditionJobs>(job => job.ResumeUnfinishedAsync(CancellationToken.None));
        await WaitForAsync(async () => (await host.Get<RunMonitor>().GetAsync(run.Id))!.Status == RunStatus.Skipped, "the run was not skipped");

        using var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        Assert.Contains("This run is skipped: nobody approved it by", WebUtility.HtmlDecode(await client.GetStringAsync($"/runs/{run.Id}")));
        await host.Get<EditionJobs>().ResumeUnfinishedAsync(CancellationToken.None);
        Assert.Empty(sink.Messages());
        Assert.Equal(0, sink.InProgress());
        host.AssertNoErrorsLogged();
    }

    private static Dictionary<string, string?> ReviewSettings(string deadline, string afterDeadline)
    {
        var settings = WebForms.Users();
        settings["Editions:daily:Review"] = "Required";
        settings["Editions:daily:ReviewDeadline"] = deadline;
        settings["Editions:daily:AfterReviewDeadline"] = afterDeadline;
        return settings;
    }

    /// <summary>
    /// Where the test's runs are kept: the embedded SQLite store, or a throwaway PostgreSQL cluster, so review's
    /// conditional updates (hold, take out, note, approve once, decide at the deadline) are proven on both dialects.
    /// </summary>
    private sealed class RunStore(PostgresCluster? cluster) : IAsyncDisposable
    {
        public static async Task<RunStore> StartAsync(StorageProvider storage) =>
            new(storage == StorageProvider.Postgres ? await PostgresCluster.StartAsync() : null);

        public async Task<Dictionary<string, string?>> SettingsAsync(Dictionary<string, string?> settings)
        {
            if (cluster is not null)
            {
                settings["Storage:Provider"] = nameof(StorageProvider.Postgres);
                settings["Storage:ConnectionString"] = await cluster.CreateDatabaseAsync();
            }
            return settings;
        }

        public ValueTask DisposeAsync() => cluster?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private static async Task<string> RunsPageAsync(DigestTestHost host)
    {
        using var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        return WebUtility.HtmlDecode(await client.GetStringAsync("/runs"));
    }

    /// <summary>No job failed, and each named job ran and succeeded at least once.</summary>
    private static void AssertJobsSucceeded(DigestTestHost host, params string[] methods)
    {
        var monitoring = host.Get<JobStorage>().GetMonitoringApi();
        Assert.Equal(0, monitoring.FailedCount());
        var succeeded = monitoring.SucceededJobs(0, 1000).Select(j => j.Value.Job?.Method.Name).ToList();
        foreach (string method in methods)
            Assert.Contains(method, succeeded);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }

    [GeneratedRegex("https://digest\\.example\\.org/runs/[0-9]+/review")]
    private static partial Regex ReviewLink();
}

using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Delivery;
using Digest.IntegrationTests.Infrastructure;
using Digest.IntegrationTests.Web;
using Digest.Subscribers;
using Hangfire;
using MimeKit;

namespace Digest.IntegrationTests.Email;

/// <summary>
/// Readers choose topics; each copy of a run carries only the articles on its reader's topics, in the sections the
/// editor ordered, a reader with nothing on their topics is skipped with the reason in the ledger, and a reader who
/// chose nothing gets everything. Checked on the wire, in both parts, after the run's real jobs.
/// </summary>
public sealed class TopicCopiesTests
{
    private const string Tram = "Riverside Tram Line Wins Council Vote";          // transport
    private const string Wind = "Offshore Wind Farm Starts Feeding the Grid";     // energy, climate
    private const string Ferry = "Electric Ferry Joins the Harbour Fleet";        // transport, energy
    private const string Library = "Public Library Extends Opening Hours Across All Branches"; // no topic
    private static readonly string[] All = [Tram, Wind, Ferry, Library];

    private static readonly DateTimeOffset Slot = new(2030, 1, 7, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Send_TopicReaders_EachCopyCarriesOnlyTheirArticles_InTheEditorsSections_AndANoMatchReaderIsSkippedWithReason()
    {
        await using var sink = await SmtpSink.StartAsync();
        var settings = WebForms.Users();
        settings["Editions:daily:Sections:By"] = "Topic";
        settings["Editions:daily:Sections:Order:0"] = "Transport";
        settings["Editions:daily:Sections:Order:1"] = "Energy";
        using var host = DigestTestHost.SendingTo(sink, settings);
        await SeedAsync(host);

        await host.Get<EditionJobs>().FireAsync("daily", Slot, CancellationToken.None);
        var progress = await DeliveryScenario.WaitForCompletionAsync(host.Services, await RunIdAsync(host), TimeSpan.FromSeconds(60));
        var messages = (await sink.WaitForAsync(3, TimeSpan.FromSeconds(20))).ToDictionary(m => m.Recipients.Single(), m => m.Message);
        await DeliveryScenario.JobsIdleAsync(host.Get<JobStorage>(), TimeSpan.FromSeconds(60));

        Assert.Equal(["ana@example.com", "ben@example.com", "cleo@example.com"], messages.Keys.Order(StringComparer.Ordinal));
        AssertCarriesOnly(messages["ana@example.com"], All);            // chose nothing: everything
        AssertCarriesOnly(messages["ben@example.com"], [Wind, Ferry]);  // energy
        AssertCarriesOnly(messages["cleo@example.com"], [Tram, Ferry]); // transport
        // Each copy's subject names its own first article.
        Assert.Equal($"The Daily Digest — 7 Jan 2030: {Ferry}", messages["ben@example.com"].Subject);
        Assert.Equal($"The Daily Digest — 7 Jan 2030: {Tram}", messages["cleo@example.com"].Subject);

        // The editor's order (Transport before Energy, not the alphabet's), the untagged last; arrival order within a
        // section. The ferry is on both topics: it goes under Transport, which the editor ranks first.
        var ana = messages["ana@example.com"];
        AssertInOrder(ana.HtmlBody!, [">Transport</h2>", Tram, Ferry, ">Energy</h2>", Wind, ">Other news</h2>", Library]);
        AssertInOrder(ana.TextBody!, ["== TRANSPORT ==", Tram, Ferry, "== ENERGY ==", Wind, "== OTHER NEWS ==", Library]);
        AssertInOrder(messages["ben@example.com"].HtmlBody!, [">Transport</h2>", Ferry, ">Energy</h2>", Wind]);
        AssertInOrder(messages["ben@example.com"].TextBody!, ["== TRANSPORT ==", Ferry, "== ENERGY ==", Wind]);
        Assert.DoesNotContain("Other news", messages["cleo@example.com"].HtmlBody);
        Assert.DoesNotContain("== ENERGY ==", messages["cleo@example.com"].TextBody);

        var ledger = await DeliveryScenario.LedgerAsync(host.Services, progress.RunId);
        var dora = Assert.Single(ledger, e => e.Email == "dora@example.com");
        Assert.Equal((DeliveryStatus.NoMatch, "no article of this run is on the reader's topics (sport, chess)"), (dora.Status, dora.LastReply));
        Assert.Equal((3, 1, 0, 0), (progress.Sent, progress.NoMatch, progress.Skipped, progress.Failed));
        Assert.Contains("3/4 sent, 0 failed, 0 to retry, 0 skipped, 1 with no article on their topics, 0 pending", progress.Line());
        Assert.Equal(1.0, progress.Done);
        using var editor = WebForms.Client(host);
        await WebForms.SignInAsync(editor, "erin", WebForms.EditorPassword);
        Assert.Contains("<dt>Skipped: nothing on their topics</dt><dd id=\"no-match\">1</dd>", await editor.GetStringAsync($"/runs/{progress.RunId}"));
        Assert.Equal(0, host.Get<JobStorage>().GetMonitoringApi().FailedCount());
        host.Errors.AssertNone();
    }

    [Fact]
    public async Task Send_TopicsChangedAfterTheRunStarted_TheRunSendsWhatItFroze()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink);
        var readers = await SeedAsync(host);
        var run = await host.Get<EditionRunner>().StartAsync("daily", Slot);

        // Mid-run, ben switches from energy to transport and dora from sport to everything; an editor retags the wind farm.
        await host.Get<SubscriberStore>().SetTopicsAsync(readers["ben@example.com"], ["transport"]);
        await host.Get<SubscriberStore>().SetTopicsAsync(readers["dora@example.com"], []);
        var articles = await host.Get<Digest.Articles.ArticleStore>().ListRecentAsync(10);
        await host.Get<Digest.Articles.ArticleStore>().SetTopicsAsync(articles.Single(a => a.Content.Headline == Wind).Id, ["sport"]);
        var report = await host.Get<RunSender>().SendAsync(run.Id);
        var messages = (await sink.WaitForAsync(3, TimeSpan.FromSeconds(20))).ToDictionary(m => m.Recipients.Single(), m => m.Message);

        Assert.Equal((3, 1), (report.Sent, report.Skipped));
        AssertCarriesOnly(messages["ben@example.com"], [Wind, Ferry]);
        Assert.False(messages.ContainsKey("dora@example.com"));
        host.Errors.AssertNone();
    }

    /// <summary>The four articles through the inbox (their Topics lines) and four readers: ana everything, ben energy, cleo transport, dora sport and chess.</summary>
    private static async Task<Dictionary<string, long>> SeedAsync(DigestTestHost host)
    {
        _ = host.Server;
        await DeliveryScenario.JobsIdleAsync(host.Get<JobStorage>(), TimeSpan.FromSeconds(60));
        foreach (string fixture in new[] { "topics-tram.txt", "topics-wind.txt", "topics-ferry.txt", "email-01-library.txt" })
            await host.DropArticleAsync(fixture);
        var store = host.Get<SubscriberStore>();
        var ids = new Dictionary<string, long>();
        foreach (var (email, topics) in new (string, string[])[]
            { ("ana@example.com", []), ("ben@example.com", ["energy"]), ("cleo@example.com", ["transport"]), ("dora@example.com", ["sport", "chess"]) })
        {
            var reader = await store.AddConfirmedAsync(email, email.Split('@')[0], ["daily"]);
            await store.SetTopicsAsync(reader.Id, topics);
            ids[email] = reader.Id;
        }
        return ids;
    }

    private static async Task<long> RunIdAsync(DigestTestHost host) =>
        Assert.Single(await host.Get<RunMonitor>().RecentAsync(5)).RunId;

    /// <summary>Both parts name exactly these of the four articles.</summary>
    private static void AssertCarriesOnly(MimeMessage message, string[] expected)
    {
        foreach (string headline in All)
        {
            bool wanted = expected.Contains(headline);
            Assert.True(wanted == message.HtmlBody!.Contains(headline, StringComparison.Ordinal), $"HTML part to {message.To}: '{headline}' {(wanted ? "missing" : "present")}");
            Assert.True(wanted == message.TextBody!.Contains(headline, StringComparison.Ordinal), $"text part to {message.To}: '{headline}' {(wanted ? "missing" : "present")}");
        }
    }

    private static void AssertInOrder(string part, string[] texts)
    {
        int at = -1;
        foreach (string text in texts)
        {
            int next = part.IndexOf(text, at + 1, StringComparison.Ordinal);
            Assert.True(next > at, $"'{text}' is not after the previous one in:{Environment.NewLine}{part}");
            at = next;
        }
    }
}

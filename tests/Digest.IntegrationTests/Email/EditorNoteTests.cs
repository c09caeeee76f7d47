using System.Net;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.IntegrationTests.Web;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Email;

/// <summary>An editor writes a note in the workspace; the next run carries it, at the top of both parts, and only that run.</summary>
public sealed class EditorNoteTests
{
    private const string Note = """
        **Welcome back** to the daily digest. Please answer [our reader survey](https://survey.example.org/q?a=1&b=2).

        <script>alert('note')</script>
        <img src="https://tracker.example.net/pixel.gif" onerror="alert(2)">
        [a trap](javascript:alert(3)) and <b>raw bold</b>
        """;

    [Fact]
    public async Task Note_SavedInTheWorkspace_GoesOutAtTheTopOfBothParts_InertAndOnlyWithTheNextRun()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink, WebForms.Users());
        using var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        await host.DropArticleAsync("email-01-library.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana Lima", ["daily"]);

        var forged = await client.PostAsync("/editions/daily/note", new FormUrlEncodedContent([new("Markdown", "forged")]));
        var saved = await WebForms.PostFormAsync(client, "/editions/daily/note", "/editions/daily/note", [new("Markdown", Note)]);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode); // no antiforgery token, no note
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        string page = await saved.Content.ReadAsStringAsync();
        Assert.Contains("Saved: the next run carries this note.", page);
        Assert.DoesNotContain("<script>alert", page);
        Assert.Equal("erin", (await host.Get<EditionNotes>().GetAsync("daily"))!.UpdatedBy);

        var first = await SendRunAsync(host, new DateTimeOffset(2030, 1, 7, 6, 0, 0, TimeSpan.Zero));
        var message = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(20))).Message;
        string html = message.HtmlBody!;
        string text = message.TextBody!;

        Assert.Equal(1, first.Report.Sent);
        Assert.Contains("<strong>Welcome back</strong> to the daily digest. Please answer <a href=\"https://survey.example.org/q?a=1&amp;b=2\">our reader survey</a>.", html);
        AssertInert(html);
        Assert.True(html.IndexOf("Welcome back", StringComparison.Ordinal) < html.IndexOf("Read: Public Library", StringComparison.Ordinal), "the note comes before the articles");
        // The text part shows the Markdown as written: it reads as plain text, and nothing in a text part runs.
        Assert.Contains("**Welcome back** to the daily digest. Please answer [our reader survey](https://survey.example.org/q?a=1&b=2).", text);
        Assert.True(text.IndexOf("Welcome back", StringComparison.Ordinal) < text.IndexOf("Public Library", StringComparison.Ordinal), "the note comes before the articles");
        string archive = await host.CreateClient().GetStringAsync($"/archive/{first.Run.Id}");
        Assert.Contains("<strong>Welcome back</strong>", archive);
        AssertInert(archive);

        // The run took the note: the next one goes out without it.
        Assert.Null(await host.Get<EditionNotes>().GetAsync("daily"));
        await host.DropArticleAsync("email-02-heatpumps.txt");
        await SendRunAsync(host, new DateTimeOffset(2030, 1, 8, 6, 0, 0, TimeSpan.Zero));
        var second = (await sink.WaitForAsync(2, TimeSpan.FromSeconds(20))).Select(m => m.Message).Single(m => m.MessageId != message.MessageId);
        Assert.Contains("Heat Pump", second.HtmlBody);
        Assert.DoesNotContain("Welcome back", second.HtmlBody);
        Assert.DoesNotContain("Welcome back", second.TextBody);
    }

    /// <summary>Raw HTML shows as its text; no script, image, handler or script link survives as markup.</summary>
    private static void AssertInert(string html)
    {
        Assert.Contains("&lt;script&gt;alert('note')&lt;/script&gt;", html.Replace("&#39;", "'"));
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img src=\"https://tracker", html);
        Assert.DoesNotContain("<b>raw bold</b>", html);
        Assert.DoesNotContain("href=\"javascript:", html);
        Assert.Contains("a trap and", html); // the unsafe link keeps its words
    }

    private static async Task<(Run Run, SendReport Report)> SendRunAsync(DigestTestHost host, DateTimeOffset slot)
    {
        var run = await host.Get<EditionRunner>().StartAsync("daily", slot);
        return (run, await host.Get<RunSender>().SendAsync(run.Id));
    }
}

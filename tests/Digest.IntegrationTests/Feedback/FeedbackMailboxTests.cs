using System.Net;
using System.Net.Http.Json;
using Digest.Feedback;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using static Digest.IntegrationTests.Feedback.FeedbackScenario;

namespace Digest.IntegrationTests.Feedback;

/// <summary>The feedback mailbox on a real IMAP server (a throwaway Dovecot): read, acted on, sorted, and idempotent.</summary>
public sealed class FeedbackMailboxTests : IAsyncLifetime
{
    private Dovecot _dovecot = null!;

    public async Task InitializeAsync() => _dovecot = await Dovecot.StartAsync();

    public async Task DisposeAsync() => await _dovecot.DisposeAsync();

    [Fact]
    public async Task Check_ActsOnEachKind_SortsTheMailbox_AndASecondPassChangesNothing()
    {
        using var started = await SentRunAsync(_dovecot.Settings(),
            "ana@example.com", "ben@mailhost.example", "kim@busyhost.example", "olga@yahoo.example", "pia@example.com", "uma@example.com");
        var host = started.Host;
        long run = started.Run.Id;
        await _dovecot.AppendAsync(
            await SampleAsync(host, "hard-bounce/exim-permanent.eml", run, "ben@mailhost.example"),
            await SampleAsync(host, "soft-bounce/exim-delay-warning.eml", run, "kim@busyhost.example"),
            await SampleAsync(host, "complaint/arf-yahoo.eml", run, "olga@yahoo.example"),
            await SampleAsync(host, "unsubscribe/gmail-mailto.eml", run, "ana@example.com"),
            await SampleAsync(host, "ignored/vacation-auto-submitted.eml", run, "pia@example.com"),
            await SampleAsync(host, "unrecognised/reader-reply.eml", run, "uma@example.com"));

        var items = await host.Get<FeedbackMailbox>().CheckAsync();

        Assert.Equal(
            [
                $"{FeedbackKind.HardBounce} ben@mailhost.example suppressed",
                $"{FeedbackKind.SoftBounce} kim@busyhost.example soft bounce 1 of 3 within 30 days",
                $"{FeedbackKind.Complaint} olga@yahoo.example unsubscribed from every edition and suppressed",
                $"{FeedbackKind.Unsubscribe} ana@example.com unsubscribed from daily",
                $"{FeedbackKind.Ignored} - ignored",
                $"{FeedbackKind.Unrecognised} - left for a person",
            ],
            items.Select(i => $"{i.Result.Kind} {i.Result.Email ?? "-"} {i.Result.Effect}"));
        Assert.Equal(SubscriberStatus.Suppressed, (await SubscriberAsync(host, "ben@mailhost.example")).Status);
        Assert.Equal(SubscriberStatus.Confirmed, (await SubscriberAsync(host, "kim@busyhost.example")).Status);
        Assert.Equal(SubscriberStatus.Suppressed, (await SubscriberAsync(host, "olga@yahoo.example")).Status);
        Assert.Equal(SubscriberStatus.Unsubscribed, await SubscriptionAsync(host, "olga@yahoo.example"));
        Assert.Equal(SubscriberStatus.Unsubscribed, await SubscriptionAsync(host, "ana@example.com"));
        Assert.Equal(SubscriberStatus.Confirmed, (await SubscriberAsync(host, "pia@example.com")).Status);
        Assert.Equal(SubscriberStatus.Confirmed, await SubscriptionAsync(host, "pia@example.com"));
        var folders = await _dovecot.ContentsAsync("INBOX", "Processed", "Unrecognised");
        Assert.Empty(folders["INBOX"]);
        Assert.Equal(5, folders["Processed"].Count);
        Assert.Equal(["Re: The Daily Digest — tram line"], folders["Unrecognised"]);

        var figures = await host.Get<FeedbackFigures>().ForRunAsync(run);
        Assert.Equal((6, 1, 1, 1, 1), (figures!.Sent, figures.HardBounces, figures.SoftBounces, figures.Complaints, figures.Unsubscribes));
        Assert.Contains(figures.Events, e => e.Kind == FeedbackKind.HardBounce && e.Reason!.Contains("550 5.1.1 <ben@mailhost.example> User doesn't exist"));

        // Nothing new: nothing happens. The same messages again (a move that failed after processing): only moved.
        Assert.Empty(await host.Get<FeedbackMailbox>().CheckAsync());
        long events = await EventCountAsync(host);
        await _dovecot.MoveBackAsync("Processed");
        var again = await host.Get<FeedbackMailbox>().CheckAsync();
        Assert.Equal(5, again.Count);
        Assert.All(again, item => Assert.True(item.Result.Duplicate));
        Assert.Equal(events, await EventCountAsync(host));
        Assert.Equal(SubscriberStatus.Confirmed, (await SubscriberAsync(host, "kim@busyhost.example")).Status);
        Assert.Equal(figures with { Events = [] }, (await host.Get<FeedbackFigures>().ForRunAsync(run))! with { Events = [] });
    }

    [Fact]
    public async Task Check_SoftBouncesUpToTheLimit_Suppress()
    {
        var settings = _dovecot.Settings();
        settings["Feedback:SoftBounceLimit"] = "2";
        using var started = await SentRunAsync(settings, "kim@busyhost.example");
        var first = await SampleAsync(started.Host, "soft-bounce/exim-delay-warning.eml", started.Run.Id, "kim@busyhost.example");
        var second = await SampleAsync(started.Host, "soft-bounce/gmail-over-quota.eml", started.Run.Id, "kim@busyhost.example");

        await _dovecot.AppendAsync(first);
        await started.Host.Get<FeedbackMailbox>().CheckAsync();
        Assert.Equal(SubscriberStatus.Confirmed, (await SubscriberAsync(started.Host, "kim@busyhost.example")).Status);
        await _dovecot.AppendAsync(second);
        var items = await started.Host.Get<FeedbackMailbox>().CheckAsync();

        Assert.Equal("soft bounce 2 of 2 within 30 days: suppressed", Assert.Single(items).Result.Effect);
        Assert.Equal(SubscriberStatus.Suppressed, (await SubscriberAsync(started.Host, "kim@busyhost.example")).Status);
    }

    [Fact]
    public async Task Check_EmailedUnsubscribeFromSomeoneElse_IsLeftForAPerson()
    {
        using var started = await SentRunAsync(_dovecot.Settings(), "ana@example.com");
        var forged = await SampleAsync(started.Host, "unsubscribe/reply-unsubscribe.eml", started.Run.Id, "ana@example.com");
        forged.From.Clear();
        forged.From.Add(new MimeKit.MailboxAddress("", "mallory@example.net"));
        await _dovecot.AppendAsync(forged);

        var item = Assert.Single(await started.Host.Get<FeedbackMailbox>().CheckAsync());

        Assert.True(item.Result.ForAPerson);
        Assert.Equal(SubscriberStatus.Confirmed, await SubscriptionAsync(started.Host, "ana@example.com"));
        Assert.Equal(["Re: unsubscribe"], (await _dovecot.ContentsAsync("Unrecognised"))["Unrecognised"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OneClickAndMailto_InEitherOrder_LeaveOneUnsubscription(bool oneClickFirst)
    {
        using var started = await SentRunAsync(_dovecot.Settings(), "ana@example.com");
        var host = started.Host;
        var ana = await SubscriberAsync(host, "ana@example.com");
        var client = host.CreateClient();
        async Task OneClickAsync()
        {
            var response = await client.PostAsync($"/u/{host.Get<SubscriberTokens>().CreateUnsubscribe(ana.Id, "daily")}",
                new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        async Task MailtoAsync()
        {
            await _dovecot.AppendAsync(await SampleAsync(host, "unsubscribe/gmail-mailto.eml", started.Run.Id, "ana@example.com"));
            Assert.Equal(FeedbackKind.Unsubscribe, Assert.Single(await host.Get<FeedbackMailbox>().CheckAsync()).Result.Kind);
        }

        if (oneClickFirst)
        {
            await OneClickAsync();
            await MailtoAsync();
        }
        else
        {
            await MailtoAsync();
            await OneClickAsync();
        }

        Assert.Equal(SubscriberStatus.Unsubscribed, await SubscriptionAsync(host, "ana@example.com"));
        var figures = await host.Get<FeedbackFigures>().ForRunAsync(started.Run.Id);
        Assert.Equal(1, figures!.Unsubscribes);
        Assert.Single(await host.Get<FeedbackFigures>().ForSubscriberAsync(ana.Id), e => e.Kind == FeedbackKind.Unsubscribe && e.Effect.StartsWith("unsubscribed"));
        var json = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/runs/{started.Run.Id}/feedback");
        Assert.Equal(1, json.GetProperty("unsubscribes").GetInt32());
    }
}

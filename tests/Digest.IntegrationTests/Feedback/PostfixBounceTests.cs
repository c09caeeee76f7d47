using System.Net.Http.Json;
using System.Text.Json;
using Digest.Delivery;
using Digest.Feedback;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;
using static Digest.IntegrationTests.Feedback.FeedbackScenario;

namespace Digest.IntegrationTests.Feedback;

/// <summary>
/// The whole loop with real servers: Digest hands a digest to a throwaway Postfix, which accepts it and then finds
/// no such user and bounces it to the per-message return path; the bounce lands in the feedback mailbox (Dovecot),
/// and the mailbox check suppresses the subscriber with nobody involved.
/// </summary>
public sealed class PostfixBounceTests
{
    private const string Gone = $"nosuch@{PostfixInstance.LocalDomain}";

    [Fact]
    public async Task DigestBouncedByPostfix_SuppressesTheSubscriber_AndTheRunShowsTheBounceWithItsReason()
    {
        // news.example.org (the From and return-path domain) is routed by Postfix to this sink: the bounce arrives here.
        await using var bounces = await SmtpSink.StartAsync();
        await using var postfix = await PostfixInstance.StartAsync("news.example.org", bounces.Port);
        await using var mailbox = await Dovecot.StartAsync();
        var settings = SmtpSettings(postfix.Port);
        foreach (var (key, value) in mailbox.Settings())
            settings[key] = value;
        using var started = await StartRunAsync(settings, 0, Gone);
        var (host, run) = started;
        var gone = await SubscriberAsync(host, Gone);

        await host.Get<RunSender>().SendAsync(run.Id);
        await WaitForCompletionAsync(host.Services, run.Id, TimeSpan.FromSeconds(30));
        // Postfix accepted it: the session said nothing was wrong.
        Assert.Equal(DeliveryStatus.Sent, Assert.Single(await LedgerAsync(host.Services, run.Id)).Status);
        var bounce = Assert.Single(await bounces.WaitForAsync(1, TimeSpan.FromSeconds(60)));

        string returnPath = host.Get<ReturnPath>().For(run.Id, gone.Id)!.Address;
        Assert.StartsWith($"{returnPath}> ", Assert.Single(bounce.Recipients)); // Postfix adds ORCPT
        Assert.Equal("<> BODY=8BITMIME", bounce.Message.Headers["X-Mail-Args"]?.Trim()); // a bounce has the null sender
        Assert.Contains("Undelivered Mail Returned to Sender", bounce.Message.Subject);
        await mailbox.AppendAsync(bounce.Message);
        var item = Assert.Single(await host.Get<FeedbackMailbox>().CheckAsync());

        Assert.Equal((FeedbackKind.HardBounce, gone.Id, run.Id, "suppressed"), (item.Result.Kind, item.Result.SubscriberId, item.Result.RunId, item.Result.Effect));
        Assert.Equal(SubscriberStatus.Suppressed, (await SubscriberAsync(host, Gone)).Status);
        var json = await host.CreateClient().GetFromJsonAsync<JsonElement>($"/api/runs/{run.Id}/feedback");
        Assert.Equal(1, json.GetProperty("hardBounces").GetInt32());
        Assert.Equal(1.0, json.GetProperty("hardBounceRate").GetDouble());
        Assert.Contains(json.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("hard-bounce rate 100.00%"));
        var reason = json.GetProperty("events")[0].GetProperty("reason").GetString();
        Assert.Equal("5.1.1 X-Postfix; unknown user: \"nosuch\"", reason);
        var history = await host.CreateClient().GetFromJsonAsync<JsonElement>($"/api/subscribers/{gone.Id}/feedback");
        Assert.Equal(FeedbackKind.HardBounce, history[0].GetProperty("kind").GetString());
    }
}

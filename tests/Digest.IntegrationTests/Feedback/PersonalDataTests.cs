using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Digest.IntegrationTests.Delivery;
using Digest.Storage;
using Digest.Subscribers;
using static Digest.IntegrationTests.Feedback.FeedbackScenario;

namespace Digest.IntegrationTests.Feedback;

/// <summary>A subscriber's own data through the JSON endpoints (preferences token), and erasure after the retention.</summary>
public sealed class PersonalDataTests : IAsyncLifetime
{
    private StartedRun _started = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _started = await SentRunAsync([], "ana@example.com", "ben@example.com", "cara@example.com", "dan@example.com");
        _client = _started.Host.CreateClient();
    }

    public Task DisposeAsync()
    {
        _started.Dispose();
        return Task.CompletedTask;
    }

    private async Task<string> PreferencesTokenAsync(string email) =>
        _started.Host.Get<SubscriberLinks>().PreferencesUrl((await SubscriberAsync(_started.Host, email)).Id).Split('/')[^1];

    [Fact]
    public async Task Export_WithPreferencesToken_GivesEverythingHeldAboutThem()
    {
        var export = await _client.GetFromJsonAsync<JsonElement>($"/api/me/{await PreferencesTokenAsync("ana@example.com")}");

        Assert.Equal("ana@example.com", export.GetProperty("email").GetString());
        Assert.Equal("daily", export.GetProperty("subscriptions")[0].GetProperty("edition").GetString());
        Assert.Equal(_started.Run.Id, export.GetProperty("deliveries")[0].GetProperty("runId").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/me/not-a-token")).StatusCode);
    }

    [Fact]
    public async Task Delete_ErasesAddressAndName_KeepsTheRunsCounts()
    {
        string token = await PreferencesTokenAsync("ben@example.com");
        long ben = (await SubscriberAsync(_started.Host, "ben@example.com")).Id;

        var response = await _client.PostAsync($"/api/me/{token}/delete", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var erased = await _started.Host.Get<SubscriberStore>().FindAsync(ben);
        Assert.Equal(($"erased-{ben}@erased.invalid", "", PersonalData.Erased), (erased!.Email, erased.Name, erased.Status));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/me/{token}")).StatusCode);
        Assert.Equal(4, (await _started.Host.Get<Digest.Feedback.FeedbackFigures>().ForRunAsync(_started.Run.Id))!.Sent);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/me/{token}/delete", null)).StatusCode);
    }

    [Fact]
    public async Task Retention_ErasesOnlyThoseUnsubscribedOrUnconfirmedForLongerThanItKeepsThem()
    {
        var store = _started.Host.Get<SubscriberStore>();
        long ben = (await SubscriberAsync(_started.Host, "ben@example.com")).Id;
        long cara = (await SubscriberAsync(_started.Host, "cara@example.com")).Id;
        long dan = (await SubscriberAsync(_started.Host, "dan@example.com")).Id;
        await store.UnsubscribeAsync(ben, "daily");
        await store.UnsubscribeAsync(dan, "daily");
        string old = Clock.Format(DateTimeOffset.UtcNow.AddDays(-40));
        await using (var connection = await _started.Host.Get<Database>().OpenAsync())
        {
            // Ben left 40 days ago, Dan today; Ana, still subscribed, joined 40 days ago, as did Cara.
            await connection.ExecuteAsync("UPDATE subscribers SET created_at = @old", new { old });
            await connection.ExecuteAsync("UPDATE subscriptions SET updated_at = @old WHERE subscriber_id <> @dan", new { old, dan });
            await connection.ExecuteAsync("UPDATE deliveries SET updated_at = @old WHERE subscriber_id <> @dan", new { old, dan });
            await connection.ExecuteAsync("UPDATE feedback_events SET received_at = @old WHERE subscriber_id = @ben", new { old, ben });
            // Cara signed up 40 days ago and never confirmed.
            await connection.ExecuteAsync("UPDATE subscribers SET status = 'pending' WHERE id = @cara", new { cara });
        }

        int erased = await _started.Host.Get<PersonalData>().EraseExpiredAsync();

        Assert.Equal(2, erased);
        var statuses = (await store.ListAsync()).ToDictionary(s => s.Id, s => (s.Email, s.Status));
        Assert.Equal(PersonalData.Erased, statuses[ben].Status);
        Assert.Equal(PersonalData.Erased, statuses[cara].Status);
        Assert.Equal(("dan@example.com", SubscriberStatus.Confirmed), statuses[dan]);
        Assert.Contains(("ana@example.com", SubscriberStatus.Confirmed), statuses.Values);
        Assert.Equal(4, (await DeliveryScenario.LedgerAsync(_started.Host.Services, _started.Run.Id)).Count);
        Assert.Equal(0, await _started.Host.Get<PersonalData>().EraseExpiredAsync());
    }
}

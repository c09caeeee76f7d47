using System.Globalization;
using System.Net;
using Dapper;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>An editor previews what a coming slot of an edition would send, for a chosen subscriber, without sending anything.</summary>
public sealed class FutureSlotPreviewTests
{
    [Fact]
    public async Task Preview_AtAComingSlot_ShowsThatSlotsDigestForTheChosenSubscriber_AndStartsNoRun()
    {
        var settings = WebForms.Users();
        settings["Editions:daily:Cron"] = "0 7 * * 1"; // Mondays at 07:00 Berlin
        using var host = new DigestTestHost(settings);
        using var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        await host.DropArticleAsync("email-01-library.txt");
        var store = host.Get<SubscriberStore>();
        await store.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        var ben = await store.AddConfirmedAsync("ben@example.net", "Ben", ["daily"]);
        await host.Get<EditionNotes>().SaveAsync("daily", "**Next week:** the tram special.", "erin");
        var schedule = new EditionSchedule(host.Get<Microsoft.Extensions.Options.IOptionsMonitor<EditionsOptions>>().CurrentValue["daily"]);
        var slot = schedule.Next(DateTimeOffset.UtcNow, 3).Last(); // three Mondays ahead
        string at = schedule.ToSlotText(slot);
        string dateLine = TimeZoneInfo.ConvertTime(slot, schedule.TimeZone).ToString("dddd, d MMMM yyyy", CultureInfo.GetCultureInfo("en"));
        string query = $"subscriber={ben.Id}&at={Uri.EscapeDataString(at)}";

        string page = WebUtility.HtmlDecode(await client.GetStringAsync($"/preview?edition=daily&{query}"));
        string html = await client.GetStringAsync($"/preview/daily?{query}");
        string text = await client.GetStringAsync($"/preview/daily.txt?{query}");

        Assert.Contains($"<iframe id=\"desktop\" title=\"Desktop preview\" sandbox=\"\" class=\"desktop\" src=\"/preview/daily?{query}\">", page);
        Assert.Contains($"<option value=\"{at}\" selected=\"selected\">", page);
        foreach (string part in new[] { html, text })
        {
            Assert.Contains(dateLine, part);
            Assert.Contains("Hello Ben, here is what is new.", part);
            Assert.Contains("Public Library Extends Opening Hours Across All Branches", part);
            Assert.Contains("because ben@example.net subscribed", part);
            Assert.DoesNotContain("ana@example.com", part);
        }
        Assert.Contains("<strong>Next week:</strong> the tram special.", html);
        // A preview sends nothing and starts no run: the note still waits for the real one.
        await using (var connection = await host.Get<Database>().OpenAsync())
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs"));
        Assert.NotNull(await host.Get<EditionNotes>().GetAsync("daily"));
    }

    [Fact]
    public async Task Preview_AtATimeWithNoRunOrAPastSlot_IsRefusedSayingWhy()
    {
        var settings = WebForms.Users();
        settings["Editions:daily:Cron"] = "0 7 * * 1";
        using var host = new DigestTestHost(settings);
        using var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        var schedule = new EditionSchedule(host.Get<Microsoft.Extensions.Options.IOptionsMonitor<EditionsOptions>>().CurrentValue["daily"]);
        var monday = schedule.Next(DateTimeOffset.UtcNow, 1).Single();
        string tuesday = TimeZoneInfo.ConvertTime(monday.AddDays(1), schedule.TimeZone).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

        var notASlot = await client.GetAsync($"/preview/daily?at={tuesday}");
        var past = await client.GetAsync("/preview/daily?at=2024-01-01T07:00");
        var garbled = await client.GetAsync("/preview?edition=daily&at=next%20tuesday");

        Assert.Equal(HttpStatusCode.BadRequest, notASlot.StatusCode);
        Assert.Contains($"no run is scheduled at", await notASlot.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Contains("2024-01-01T07:00+01:00 has passed", await past.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, garbled.StatusCode);
        Assert.Contains("is not a date and time such as 2026-12-07T07:00 (in Europe/Berlin)", System.Net.WebUtility.HtmlDecode(await garbled.Content.ReadAsStringAsync()));
    }
}

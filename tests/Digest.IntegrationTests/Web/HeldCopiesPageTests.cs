using System.Globalization;
using System.Net;
using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>The run page of an edition with DeliverAt says when each time zone's copies go out.</summary>
public sealed class HeldCopiesPageTests
{
    [Fact]
    public async Task RunPage_OfADeliverAtRun_ShowsTheCopiesHeldPerTimeZone_AndUntilWhen()
    {
        var settings = WebForms.Users();
        settings["Editions:daily:DeliverAt"] = "07:00";
        using var host = new DigestTestHost(settings);
        await host.DropArticleAsync("tram.txt");
        var subscribers = host.Get<SubscriberStore>();
        foreach (string name in new[] { "ana", "ben" })
        {
            var subscriber = await subscribers.AddConfirmedAsync($"{name}@example.net", name, ["daily"]);
            await subscribers.SetTimeZoneAsync(subscriber.Id, "America/New_York");
        }
        var before = DateTimeOffset.UtcNow;
        var report = await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);

        string page = await client.GetStringAsync($"/runs/{report!.RunId}");

        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var due = LocalDelivery.DueAt(before, new TimeOnly(7, 0), "America/New_York", newYork);
        string local = TimeZoneInfo.ConvertTime(due, newYork).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Assert.Contains("<table id=\"held\">", page);
        Assert.Contains($"<tr><td>2</td><td>{local}</td><td>America/New_York</td><td>{due.UtcDateTime:HH:mm}Z</td></tr>", page);
        Assert.Equal(0, (await host.Get<RunMonitor>().GetAsync(report.RunId))!.Sent);
    }
}

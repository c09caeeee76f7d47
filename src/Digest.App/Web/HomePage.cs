using Digest.Editions;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

internal static class HomePage
{
    public static void MapHomePage(this IEndpointRouteBuilder app) =>
        app.MapGet("/", (IOptionsMonitor<EditionsOptions> editions, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var rows = editions.CurrentValue.Select(pair =>
            {
                var schedule = new EditionSchedule(pair.Value);
                var next = schedule.Next(now, 1).Select(t => TimeZoneInfo.ConvertTime(t, schedule.TimeZone)).FirstOrDefault();
                string name = Uri.EscapeDataString(pair.Key.ToLowerInvariant());
                return $"""
                    <li><strong>{Page.E(new Edition(pair.Key, pair.Value).Title)}</strong>
                    <span class="muted">({Page.E(pair.Value.Cron)} in {Page.E(pair.Value.TimeZone)}, next {next:yyyy-MM-dd HH:mm zzz})</span>
                    — preview <a href="/preview/{name}">HTML</a> · <a href="/preview/{name}.txt">text</a></li>
                    """;
            });
            return Page.Html("Digest", $"""
                <h1>Digest</h1>
                <h2>Editions</h2>
                <ul>{string.Concat(rows)}</ul>
                <p><a href="/hangfire">Jobs dashboard</a></p>
                """);
        });
}

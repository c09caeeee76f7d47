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
                string name = Uri.EscapeDataString(pair.Key.ToLowerInvariant());
                var next = schedule.NextShown(now, 5).Select(slot => $"<li>{Page.E(slot)}</li>");
                return $"""
                    <li class="edition"><strong>{Page.E(new Edition(pair.Key, pair.Value).Title)}</strong>:
                    <span class="schedule">{Page.E(schedule.Description)}</span>
                    <span class="muted">(cron {Page.E(pair.Value.Cron)})</span>
                    — preview <a href="/preview/{name}">HTML</a> · <a href="/preview/{name}.txt">text</a>
                    <br><span class="muted">Next runs:</span><ul class="next-runs">{string.Concat(next)}</ul></li>
                    """;
            });
            return Page.Html("Digest", $"""
                <h1>Digest</h1>
                <h2>Editions</h2>
                <ul>{string.Concat(rows)}</ul>
                <p><a href="/articles">Articles</a> · <a href="/subscribers">Subscribers</a> · <a href="/preview">Preview</a> · <a href="/runs">Runs</a> · <a href="/archive">Archive</a> · <a href="/hangfire">Jobs dashboard</a> (admins)</p>
                """);
        });
}

using System.Globalization;
using System.Xml.Linq;
using Digest.Articles;
using Digest.Editions;
using Digest.Rendering;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

/// <summary>
/// The public archive: every edition that went out, one page per run built from the articles frozen into it (so
/// it shows what was sent even if articles change later), and an RSS feed of the same.
/// </summary>
internal static class ArchivePages
{
    private const int Shown = 100;
    private static readonly CultureInfo Display = CultureInfo.GetCultureInfo("en-GB");

    public static void MapArchive(this IEndpointRouteBuilder app)
    {
        app.MapGet("/archive", async (RunArchive archive, IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            var runs = await archive.ListAsync(Shown, cancellationToken);
            string items = runs.Count == 0 ? "<p>Nothing has been sent yet.</p>"
                : $"<ul>{string.Concat(runs.Select(r => $"""<li><a href="/archive/{r.Id}">{Page.E(Title(editions.CurrentValue, r))}</a></li>"""))}</ul>";
            return Page.Html("Archive", $"""
                <h1>Archive</h1>
                <p><a href="/archive.rss">RSS feed</a> · <a href="/subscribe">Subscribe</a></p>
                {items}
                """);
        });

        app.MapGet("/archive/{id:long}", async (long id, RunArchive archive, IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            if (await archive.FindAsync(id, cancellationToken) is not var (run, articles))
                return Page.Html("Not in the archive", "<h1>Not in the archive</h1><p>No edition was sent under this number.</p>", StatusCodes.Status404NotFound);
            string title = Title(editions.CurrentValue, run);
            return Page.Html(title, $"""
                <p><a href="/archive">Archive</a></p>
                <h1>{Page.E(title)}</h1>
                {string.Concat(articles.Select(ArticleSection))}
                """);
        });

        app.MapGet("/archive.rss", async (RunArchive archive, IOptionsMonitor<EditionsOptions> editions, IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        {
            string root = site.Value.PublicUrl.TrimEnd('/');
            var runs = await archive.ListAsync(Shown, cancellationToken);
            var channel = new XElement("channel",
                new XElement("title", "Digest archive"),
                new XElement("link", $"{root}/archive"),
                new XElement("description", "Every digest sent, newest first."),
                runs.Select(r => new XElement("item",
                    new XElement("title", Title(editions.CurrentValue, r)),
                    new XElement("link", $"{root}/archive/{r.Id}"),
                    new XElement("guid", new XAttribute("isPermaLink", "true"), $"{root}/archive/{r.Id}"),
                    new XElement("pubDate", r.CreatedAt.ToString("r", CultureInfo.InvariantCulture)))));
            string xml = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("rss", new XAttribute("version", "2.0"), channel))
                .Declaration + Environment.NewLine + channel.Parent;
            return Results.Text(xml, "application/rss+xml; charset=utf-8");
        });
    }

    /// <summary>The edition's title and the run's date in the edition's zone; a run of an edition since removed keeps its name and UTC.</summary>
    private static string Title(EditionsOptions editions, Run run)
    {
        if (!editions.TryGetValue(run.Edition, out var options))
            return $"{run.Edition} — {run.Slot.ToString("d MMMM yyyy", Display)}";
        var local = TimeZoneInfo.ConvertTime(run.Slot, new EditionSchedule(options).TimeZone);
        return $"{new Edition(run.Edition, options).Title} — {local.ToString("d MMMM yyyy", Display)}";
    }

    private static string ArticleSection(Article article) => $"""
        <section>
        <h2><a href="/articles/{Uri.EscapeDataString(article.Slug)}">{Page.E(article.Content.Headline)}</a></h2>
        <p class="muted">Published {article.Content.PublishedOn.ToString("d MMMM yyyy", Display)}</p>
        <ul>{string.Concat(article.Content.Highlights.Select(h => $"<li>{Page.E(h)}</li>"))}</ul>
        </section>
        """;
}

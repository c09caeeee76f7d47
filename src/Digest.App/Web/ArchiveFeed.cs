using System.Globalization;
using System.Xml.Linq;
using Digest.Editions;
using Digest.Rendering;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

/// <summary><c>/archive.rss</c>: every sent edition, newest first, as the archive page lists them.</summary>
internal static class ArchiveFeed
{
    public const int Shown = 100;

    public static void MapArchiveFeed(this IEndpointRouteBuilder app) =>
        app.MapGet("/archive.rss", async (RunArchive archive, IOptionsMonitor<EditionsOptions> editions, IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        {
            string root = site.Value.PublicUrl.TrimEnd('/');
            var runs = await archive.ListAsync(Shown, cancellationToken);
            var channel = new XElement("channel",
                new XElement("title", "Digest archive"),
                new XElement("link", $"{root}/archive"),
                new XElement("description", "Every digest sent, newest first."),
                runs.Select(r => new XElement("item",
                    new XElement("title", ArchiveTitles.Of(editions.CurrentValue, r)),
                    new XElement("link", $"{root}/archive/{r.Id}"),
                    new XElement("guid", new XAttribute("isPermaLink", "true"), $"{root}/archive/{r.Id}"),
                    new XElement("pubDate", r.CreatedAt.ToString("r", CultureInfo.InvariantCulture)))));
            string xml = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("rss", new XAttribute("version", "2.0"), channel))
                .Declaration + Environment.NewLine + channel.Parent;
            return TypedResults.Text(xml, "application/rss+xml; charset=utf-8");
        }).ExcludeFromDescription();
}

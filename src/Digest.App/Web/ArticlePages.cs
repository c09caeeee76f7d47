using Digest.Articles;

namespace Digest.App.Web;

/// <summary>Each article's public page: where "Read more" in a digest leads.</summary>
internal static class ArticlePages
{
    public static void MapArticlePages(this WebApplication app) =>
        app.MapGet("/articles/{slug}", async (string slug, ArticleStore articles, CancellationToken cancellationToken) =>
        {
            var article = await articles.FindBySlugAsync(slug, cancellationToken);
            if (article is null)
                return Page.Html("Article not found", "<h1>Article not found</h1><p>There is no article at this address.</p>", StatusCodes.Status404NotFound);

            var content = article.Content;
            string Paragraphs(IEnumerable<string> lines) => string.Concat(lines.Select(p => $"<p>{Page.E(p)}</p>"));
            string highlights = content.Highlights.Count == 0 ? ""
                : $"<ul>{string.Concat(content.Highlights.Select(h => $"<li>{Page.E(h)}</li>"))}</ul>";
            string analysis = content.Analysis.Count == 0 ? "" : $"<h2>What this might mean</h2>{Paragraphs(content.Analysis)}";
            return Page.Html(content.Headline, $"""
                <article>
                <h1>{Page.E(content.Headline)}</h1>
                <p class="muted">Published {content.PublishedOn:d MMMM yyyy}</p>
                {highlights}
                {Paragraphs(content.Body)}
                {analysis}
                </article>
                """);
        });
}

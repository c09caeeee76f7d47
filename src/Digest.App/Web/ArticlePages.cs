using System.Globalization;
using Digest.Articles;
using Digest.Articles.Feeds;

namespace Digest.App.Web;

/// <summary>
/// Each article's public page (where "Read more" in a digest leads) and the editors' list of articles and feeds.
/// The list is an editor page, behind sign-in.
/// </summary>
internal static class ArticlePages
{
    private static readonly CultureInfo Display = CultureInfo.GetCultureInfo("en-GB");

    public static void MapArticlePages(this WebApplication app)
    {
        app.MapGet("/articles/{slug}", async (string slug, ArticleStore articles, CancellationToken cancellationToken) =>
            await articles.FindBySlugAsync(slug, cancellationToken) is { } article
                ? Page.Html(article.Content.Headline, ArticleBody(article))
                : Page.Html("Article not found", "<h1>Article not found</h1><p>There is no article at this address.</p>", StatusCodes.Status404NotFound));

        app.MapGet("/articles", async (HttpContext context, string? q, ArticleStore articles, FeedPoller feeds, CancellationToken cancellationToken) =>
            Page.Html("Articles", ArticleList(context, q, await articles.ListWithRunsAsync(200, q, cancellationToken)) + FeedList(await feeds.ListStatusAsync())))
            .RequireAuthorization(Access.AccessPolicies.Editor);

        // Held back from every digest not yet started; letting it in again puts it in the next one.
        app.MapPost("/articles/{id:long}/exclude", (long id, ArticleStore articles, CancellationToken cancellationToken) =>
            SetExcludedAsync(articles, id, excluded: true, cancellationToken))
            .RequireAuthorization(Access.AccessPolicies.Editor).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute());
        app.MapPost("/articles/{id:long}/include", (long id, ArticleStore articles, CancellationToken cancellationToken) =>
            SetExcludedAsync(articles, id, excluded: false, cancellationToken))
            .RequireAuthorization(Access.AccessPolicies.Editor).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute());
    }

    private static async Task<IResult> SetExcludedAsync(ArticleStore articles, long id, bool excluded, CancellationToken cancellationToken) =>
        await articles.SetExcludedAsync(id, excluded, cancellationToken)
            ? Results.Redirect("/articles", preserveMethod: false)
            : Page.Html("Article not found", $"<h1>Article not found</h1><p>There is no article {id}.</p>", StatusCodes.Status404NotFound);

    private static string ArticleBody(Article article)
    {
        var content = article.Content;
        string original = article.Url is { } url && ArticleJson.IsWebAddress(url)
            ? $""" · <a href="{Page.E(url)}" rel="noopener nofollow">original story</a>""" : "";
        string highlights = content.Highlights.Count == 0 ? ""
            : $"""<ul class="highlights">{string.Concat(content.Highlights.Select(h => $"<li>{Page.E(h)}</li>"))}</ul>""";
        string analysis = content.Analysis.Count == 0 ? ""
            : $"<section><h2>What this might mean</h2>{Paragraphs(content.Analysis)}</section>";
        return $"""
            <article>
            <h1>{Page.E(content.Headline)}</h1>
            <p class="muted">Published {content.PublishedOn.ToString("d MMMM yyyy", Display)}{original}</p>
            {highlights}
            {Paragraphs(content.Body)}
            {analysis}
            </article>
            """;
    }

    /// <summary>The rewritten text: short lines are its section headings, the rest paragraphs.</summary>
    private static string Paragraphs(IEnumerable<string> paragraphs) => string.Concat(paragraphs.Select(p =>
        ArticleContent.IsHeading(p) ? $"<h2>{Page.E(p)}</h2>" : $"<p>{Page.E(p)}</p>"));

    private const string TableStyle = """
        <style>
          table { border-collapse: collapse; width: 100%; font-size: .92rem; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
          body { max-width: 70rem; } .failing { color: #b91c1c; }
        </style>
        """;

    private static string ArticleList(HttpContext context, string? search, IReadOnlyList<ArticleListing> listings)
    {
        string searchForm = $"""<form method="get" action="/articles"><input type="search" name="q" value="{Page.E(search)}" aria-label="Search headlines"> <button type="submit">Search</button></form>""";
        if (listings.Count == 0)
            return string.IsNullOrWhiteSpace(search)
                ? "<h1>Articles</h1><p>No articles yet. Drop one into the inbox folder, post it to <code>/api/articles</code> or configure a feed.</p>"
                : $"<h1>Articles</h1>{searchForm}<p>No headline contains &#x201C;{Page.E(search)}&#x201D;.</p>";
        var rows = listings.Select(l => $"""
            <tr><td>{l.Article.IngestedAt.ToString("yyyy-MM-dd HH:mm", Display)}</td>
            <td><a href="/articles/{Uri.EscapeDataString(l.Article.Slug)}">{Page.E(l.Article.Content.Headline)}</a><br><span class="muted">published {l.Article.Content.PublishedOn.ToString("d MMM yyyy", Display)}</span></td>
            <td>{Page.E(l.Article.Source)}</td>
            <td>{(l.Excluded ? "<strong>excluded from the next digests</strong>" : Status(l.Runs))}</td>
            <td><form method="post" action="/articles/{l.Article.Id}/{(l.Excluded ? "include" : "exclude")}">{Page.AntiforgeryField(context)}<button type="submit">{(l.Excluded ? "Include again" : "Exclude")}</button></form></td></tr>
            """);
        return $"""
            {TableStyle}
            <h1>Articles</h1>
            {searchForm}
            <p class="muted">Newest first; the {listings.Count} most recent{(string.IsNullOrWhiteSpace(search) ? "" : " matching the search")}.</p>
            <table><thead><tr><th>Arrived</th><th>Article</th><th>Source</th><th>Status</th><th></th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody></table>
            """;
    }

    private static string Status(IReadOnlyList<ArticleRun> runs) => runs.Count == 0
        ? "waiting for the next digest"
        : "in " + string.Join(", ", runs.Select(r => $"{Page.E(r.Edition)} of {r.Slot.ToString("d MMM yyyy HH:mm", Display)} UTC ({Page.E(r.Status)})"));

    private static string FeedList(IReadOnlyList<FeedStatus> feeds)
    {
        if (feeds.Count == 0)
            return "";
        var rows = feeds.Select(f => $"""
            <tr><td>{Page.E(f.Name)}<br><span class="muted">{Page.E(f.Url)}</span></td>
            <td>every {f.PollEvery}</td>
            <td>{When(f.LastSuccessAt)}{(f.LastSuccessAt is null ? "" : $" ({f.LastNewArticles} new)")}</td>
            <td>{(f.Failures == 0 ? "ok" : $"""<span class="failing">failing ({f.Failures} in a row): {Page.E(f.LastError)}</span>""")}</td>
            <td>{When(f.NextPollAt)}</td></tr>
            """);
        return $"""
            <h2>Feeds</h2>
            <table><thead><tr><th>Feed</th><th>Polled</th><th>Last success</th><th>Health</th><th>Next poll</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody></table>
            """;
    }

    private static string When(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm 'UTC'", Display) ?? "never";
}

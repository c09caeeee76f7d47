using Digest.App.Web;
using Digest.Articles;
using Digest.Articles.Feeds;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Editor;

/// <summary>The editors' list of articles (search, source, status, pages) and the health of each feed.</summary>
public sealed class ArticlesModel(ArticleStore articles, FeedPoller feeds) : PageModel
{
    /// <summary>How many of the newest matching articles the filters and pages cover.</summary>
    public const int Searched = 1000;
    public static readonly IReadOnlyList<string> Statuses = ["waiting", "sent", "excluded"];

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Source { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(Name = "page", SupportsGet = true)] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<string> Sources { get; private set; } = [];
    public Paging<ArticleListing> Listings { get; private set; } = Paging<ArticleListing>.Of([], 1);
    public IReadOnlyList<FeedStatus> Feeds { get; private set; } = [];
    public PagerView Pager => new("/articles", new Dictionary<string, string?> { ["q"] = Q, ["source"] = Source, ["status"] = Status }, Listings.Page, Listings.PageCount);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Source = string.IsNullOrEmpty(Source) ? null : Source;
        Status = Statuses.Contains(Status) ? Status : null;
        var recent = await articles.ListWithRunsAsync(Searched, Q, cancellationToken);
        Sources = recent.Select(l => l.Article.Source).Distinct().Order(StringComparer.Ordinal).ToList();
        var matching = recent.Where(l => (Source is null || l.Article.Source == Source) && (Status is null || StatusOf(l) == Status)).ToList();
        Listings = Paging<ArticleListing>.Of(matching, PageNumber);
        Feeds = await feeds.ListStatusAsync();
    }

    private static string StatusOf(ArticleListing listing) => listing.Excluded ? "excluded" : listing.Runs.Count == 0 ? "waiting" : "sent";

    public static string When(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm 'UTC'", ArchiveTitles.Display) ?? "never";
}

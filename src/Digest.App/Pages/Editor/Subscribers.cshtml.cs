using Digest.App.Web;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Editor;

/// <summary>Editors' subscriber list: search, status and edition filters, totals, pages, bulk unsubscribe.</summary>
public sealed class SubscribersModel(SubscriberDirectory directory, SubscriberLifecycle lifecycle, IOptionsMonitor<EditionsOptions> editions) : PageModel
{
    /// <summary>The most a bulk action takes at once: one page.</summary>
    private const int MaxSelected = Paging<SubscriberListing>.PageSize;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Edition { get; set; }
    [BindProperty(Name = "page", SupportsGet = true)] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<SubscriberListing> Listings { get; private set; } = [];
    public int Total { get; private set; }
    public string? Problem { get; private set; }
    public string? Outcome { get; private set; }
    public IEnumerable<string> EditionNames => editions.CurrentValue.Keys.Select(k => k.ToLowerInvariant());
    private IReadOnlyDictionary<string, string?> Filters => new Dictionary<string, string?> { ["q"] = Q, ["status"] = Status, ["edition"] = Edition };
    public string Query => QueryString.Create(Filters.Where(f => !string.IsNullOrEmpty(f.Value))).ToUriComponent();
    public PagerView Pager => new("/subscribers", Filters, PageNumber, Math.Max(1, (Total + Paging<SubscriberListing>.PageSize - 1) / Paging<SubscriberListing>.PageSize));

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Problem is not null)
            Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public async Task<IActionResult> OnPostUnsubscribeAsync(long[]? ids, CancellationToken cancellationToken)
    {
        var chosen = (ids ?? []).Distinct().Take(MaxSelected).ToList();
        int done = 0;
        foreach (long id in chosen)
            if (await lifecycle.SaveAsync(id, [], paused: false, cancellationToken) is not null)
                done++;
        Outcome = chosen.Count == 0 ? "Nothing selected: tick the subscribers to unsubscribe." : $"{done} unsubscribed from every edition.";
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Problem = SubscriberFilters.Problem(Status, Edition, editions.CurrentValue);
        if (Problem is not null)
            return;
        var filter = new SubscriberFilter(Q, Status, Edition);
        Total = await directory.CountAsync(filter, cancellationToken);
        PageNumber = Math.Clamp(PageNumber, 1, Math.Max(1, (Total + Paging<SubscriberListing>.PageSize - 1) / Paging<SubscriberListing>.PageSize));
        Listings = await directory.PageAsync(filter, (PageNumber - 1) * Paging<SubscriberListing>.PageSize, Paging<SubscriberListing>.PageSize, cancellationToken);
    }
}

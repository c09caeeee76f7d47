using Digest.App.Web;
using Digest.Articles;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Editor;

/// <summary>One article for editors: where it came from, which digests carried it, its topics; exclude or include it again.</summary>
public sealed class ArticleReviewModel(ArticleStore articles) : PageModel
{
    public ArticleListing? Listing { get; private set; }

    /// <summary>The topics as typed, comma-separated ("Energy, Transport").</summary>
    [BindProperty] public string? Topics { get; set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Listing = await articles.FindListingAsync(id, cancellationToken);
        return Listing is null ? NotFound(id) : Page();
    }

    // Held back from every digest not yet started; letting it in again puts it in the next one.
    public Task<IActionResult> OnPostExcludeAsync(long id, CancellationToken cancellationToken) => SetExcludedAsync(id, true, cancellationToken);

    public Task<IActionResult> OnPostIncludeAsync(long id, CancellationToken cancellationToken) => SetExcludedAsync(id, false, cancellationToken);

    private async Task<IActionResult> SetExcludedAsync(long id, bool excluded, CancellationToken cancellationToken) =>
        await articles.SetExcludedAsync(id, excluded, cancellationToken) ? LocalRedirect("/articles") : NotFound(id);

    /// <summary>New topics for the article; they apply to runs not yet started (a started run keeps what it froze).</summary>
    public async Task<IActionResult> OnPostTopicsAsync(long id, CancellationToken cancellationToken)
    {
        var (topics, problem) = ArticleTopics.ReadList(Topics, "Topics");
        if (problem is not null)
        {
            Listing = await articles.FindListingAsync(id, cancellationToken);
            if (Listing is null)
                return NotFound(id);
            Problem = problem;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        return await articles.SetTopicsAsync(id, topics, cancellationToken) ? LocalRedirect($"/articles/{id}") : NotFound(id);
    }

    private PartialViewResult NotFound(long id) => this.Problem(StatusCodes.Status404NotFound, "Article not found", $"There is no article {id}.");
}

using Digest.App.Web;
using Digest.Articles;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Public;

/// <summary>Each article's public page, where each entry of a digest links: the full rewritten text.</summary>
public sealed class ArticleModel(ArticleStore articles) : PageModel
{
    public Article? Article { get; private set; }

    /// <summary>The original story's address, only when it is a web address (never a script or data link).</summary>
    public string? OriginalUrl => Article?.Url is { } url && ArticleJson.IsWebAddress(url) ? url : null;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        Article = await articles.FindBySlugAsync(slug, cancellationToken);
        return Article is null ? this.Problem(StatusCodes.Status404NotFound, "Article not found", "There is no article at this address.") : Page();
    }
}

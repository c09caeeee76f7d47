using Digest.App.Web;
using Digest.Articles;
using Digest.Editions;
using Digest.Rendering;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Public;

/// <summary>One sent edition, built from the articles frozen into its run: it shows what was sent even if articles change later.</summary>
public sealed class ArchiveRunModel(RunArchive archive, IOptionsMonitor<EditionsOptions> editions) : PageModel
{
    public string Title { get; private set; } = "";
    public IReadOnlyList<Article> Articles { get; private set; } = [];

    /// <summary>Whether the run's edition shows pictures (Editions:NAME:Images), as its digest did.</summary>
    public bool ShowImages { get; private set; } = true;

    /// <summary>The editor's note the run carried, as <see cref="NoteMarkdown"/> renders it (raw HTML in it shows as text).</summary>
    public string? NoteHtml { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await archive.FindAsync(id, cancellationToken) is not var (run, articles, note))
            return this.Problem(StatusCodes.Status404NotFound, "Not in the archive", "No edition was sent under this number.");
        Title = ArchiveTitles.Of(editions.CurrentValue, run);
        ShowImages = editions.CurrentValue.TryGetValue(run.Edition, out var edition) ? edition.Images : true;
        Articles = articles;
        NoteHtml = note is null ? null : NoteMarkdown.ToHtml(note);
        return Page();
    }
}

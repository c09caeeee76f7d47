using Digest.App.Web;
using Digest.Editions;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Public;

/// <summary>The public archive: every edition that went out, newest first.</summary>
public sealed class ArchiveModel(RunArchive archive, IOptionsMonitor<EditionsOptions> editions) : PageModel
{
    public IReadOnlyList<(long Id, string Title)> Runs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Runs = (await archive.ListAsync(ArchiveFeed.Shown, cancellationToken)).Select(r => (r.Id, ArchiveTitles.Of(editions.CurrentValue, r))).ToList();
}

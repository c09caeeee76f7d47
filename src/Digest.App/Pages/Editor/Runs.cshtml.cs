using Digest.Delivery;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Editor;

/// <summary>The most recent runs with their progress.</summary>
public sealed class RunsModel(RunMonitor monitor) : PageModel
{
    public IReadOnlyList<RunProgress> Runs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Runs = await monitor.RecentAsync(50, cancellationToken);
}

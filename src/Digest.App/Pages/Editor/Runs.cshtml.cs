using Digest.Delivery;
using Digest.Editions;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Editor;

/// <summary>The most recent runs with their progress.</summary>
public sealed class RunsModel(RunMonitor monitor, RunReview review) : PageModel
{
    public IReadOnlyList<RunProgress> Runs { get; private set; } = [];

    /// <summary>The runs held for review among them: awaiting approval until when, or how they were decided.</summary>
    public IReadOnlyDictionary<long, RunReviewState> Reviews { get; private set; } = new Dictionary<long, RunReviewState>();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Runs = await monitor.RecentAsync(50, cancellationToken);
        Reviews = await review.ForRunsAsync(Runs.Select(r => r.RunId).ToList(), cancellationToken);
    }
}

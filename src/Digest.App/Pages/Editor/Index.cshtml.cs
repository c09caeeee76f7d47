using Digest.App.Web;
using Digest.Delivery;
using Digest.Editions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Editor;

/// <summary>One edition as the start page shows it.</summary>
public sealed record EditionSummary(string Name, string Title, string Schedule, string Cron, string TimeZone,
    IReadOnlyList<string> Next, RunProgress? LastRun);

/// <summary>The start page: every edition's schedule in words, its next runs, its last run, preview and "send now".</summary>
public sealed class EditionsModel(IOptionsMonitor<EditionsOptions> editions, RunMonitor monitor, EditionRunner runner, EditionJobs jobs,
    ReviewNotice notice,
    TimeProvider time) : PageModel
{
    private const int RecentRuns = 100;

    public IReadOnlyList<EditionSummary> Editions { get; private set; } = [];
    public string? Outcome { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>Starts a run now and queues its batches; the run's page shows it going out.</summary>
    public async Task<IActionResult> OnPostSendAsync(string? edition, string? confirmed, CancellationToken cancellationToken)
    {
        string name = (edition ?? "").ToLowerInvariant();
        if (!editions.CurrentValue.ContainsKey(name))
            return await ShowAsync(StatusCodes.Status400BadRequest, $"There is no edition '{Echo.Short(name)}'.", cancellationToken);
        if (confirmed != "yes")
            return await ShowAsync(StatusCodes.Status400BadRequest, "Nothing was sent: tick the box to confirm.", cancellationToken);
        var run = await runner.StartNowAsync(name, cancellationToken);
        if (run.Status == RunStatus.AwaitingApproval)
        {
            await notice.SendDueAsync(cancellationToken);
            return LocalRedirect(ReviewNotice.ReviewPath(run.Id));
        }
        if (run.Status != RunStatus.Sending)
            return await ShowAsync(StatusCodes.Status200OK, $"Nothing was sent: {name} has no new articles since its last run.", cancellationToken);
        await jobs.FanOutAsync(run.Id, cancellationToken);
        return LocalRedirect($"/runs/{run.Id}");
    }

    private async Task<IActionResult> ShowAsync(int status, string outcome, CancellationToken cancellationToken)
    {
        Outcome = outcome;
        Response.StatusCode = status;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var recent = await monitor.RecentAsync(RecentRuns, cancellationToken);
        Editions = editions.CurrentValue.Select(pair =>
        {
            var schedule = new EditionSchedule(pair.Value);
            string name = pair.Key.ToLowerInvariant();
            return new EditionSummary(name, new Edition(pair.Key, pair.Value).Title, schedule.Description, pair.Value.Cron,
                schedule.TimeZone.Id, schedule.NextShown(now, 5), recent.FirstOrDefault(r => r.Edition.Equals(name, StringComparison.OrdinalIgnoreCase)));
        }).ToList();
    }
}

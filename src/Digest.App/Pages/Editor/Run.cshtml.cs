using Digest.App.Web;
using Digest.Delivery;
using Digest.Editions;
using Digest.Feedback;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Editor;

/// <summary>One run for operators: live progress, failed recipients with the server's reply, resend to the failed.</summary>
public sealed class RunModel(RunMonitor monitor, DeliveryLedger ledger, EditionJobs jobs, FeedbackFigures feedback, RunReview review) : PageModel
{
    private const int FailedShown = 500;

    public RunProgress? Progress { get; private set; }
    public IReadOnlyList<FailedDelivery> Failed { get; private set; } = [];

    /// <summary>For an edition with DeliverAt: the copies waiting for their subscribers' local hour.</summary>
    public IReadOnlyList<HeldCopies> Held { get; private set; } = [];

    /// <summary>For an edition with Review: Required: awaiting approval until when, or how it was decided.</summary>
    public RunReviewState? Review { get; private set; }

    /// <summary>What came back after the send: bounces, complaints, unsubscribes, with their reasons.</summary>
    public RunFeedback? Feedback { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        Progress = await monitor.GetAsync(id, cancellationToken);
        if (Progress is null)
            return Missing(id);
        Held = await monitor.HeldAsync(id, Progress.Edition, cancellationToken);
        Review = await review.GetAsync(id, cancellationToken);
        Failed = await ledger.FailedAsync(id, FailedShown, cancellationToken);
        Feedback = await feedback.ForRunAsync(id, cancellationToken: cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        if (await monitor.GetAsync(id, cancellationToken) is null)
            return Missing(id);
        await jobs.ResendFailedAsync(id, cancellationToken);
        return LocalRedirect($"/runs/{id}");
    }

    public static string Percent(double rate) => rate.ToString("0.00%", System.Globalization.CultureInfo.InvariantCulture);

    public static string Eta(RunProgress run) => run.Eta is { } left ? left.ToString(@"hh\:mm\:ss") : "—";

    private PartialViewResult Missing(long id) => this.Problem(StatusCodes.Status404NotFound, "No such run", $"There is no run {id}.");
}

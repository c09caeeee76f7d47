using Digest.App.Web.Access;
using Digest.Feedback;
using Digest.Subscribers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digest.App.Api;

/// <summary>
/// Feedback as JSON for editors: a run's bounces, complaints and unsubscribes with rates and warnings, and one
/// subscriber's history with the providers' reasons.
/// </summary>
internal static class FeedbackApi
{
    public static void MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var editors = app.MapGroup("/api").RequireAuthorization(AccessPolicies.Editor);
        editors.MapGet("/runs/{id:long}/feedback", RunAsync);
        editors.MapGet("/subscribers/{id:long}/feedback", SubscriberAsync);
    }

    private static async Task<Results<Ok<RunFeedbackJson>, NotFound>> RunAsync(long id, FeedbackFigures figures, CancellationToken cancellationToken) =>
        await figures.ForRunAsync(id, 1000, cancellationToken) is { } feedback
            ? TypedResults.Ok(new RunFeedbackJson(feedback.RunId, feedback.Sent, feedback.HardBounces, feedback.SoftBounces, feedback.Complaints,
                feedback.Unsubscribes, feedback.HardBounceRate, feedback.SoftBounceRate, feedback.ComplaintRate, feedback.UnsubscribeRate,
                feedback.Warnings, feedback.Events))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<FeedbackEvent>>, NotFound>> SubscriberAsync(long id, FeedbackFigures figures, SubscriberStore subscribers,
        CancellationToken cancellationToken) =>
        await subscribers.FindAsync(id, cancellationToken) is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(await figures.ForSubscriberAsync(id, 1000, cancellationToken));

    internal sealed record RunFeedbackJson(long RunId, int Sent, int HardBounces, int SoftBounces, int Complaints, int Unsubscribes,
        double HardBounceRate, double SoftBounceRate, double ComplaintRate, double UnsubscribeRate, IReadOnlyList<string> Warnings,
        IReadOnlyList<FeedbackEvent> Events);
}

using Digest.App.Web.Access;
using Digest.Delivery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digest.App.Api;

/// <summary>A run's figures, as the run page polls them while it sends.</summary>
public sealed record RunAnswer(long Id, string Edition, DateTimeOffset Slot, string Status, int Total, int Sent, int Failed, int Retrying,
    int Skipped, int Pending, double MessagesPerSecond, double Done, double? EtaSeconds, int NoMatch);

/// <summary><c>/api/runs</c>: runs' progress for editors (the run page's live figures; scripts and monitors).</summary>
internal static class RunApi
{
    public static void MapRunApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/runs").WithTags("Runs").RequireAuthorization(AccessPolicies.Editor);
        api.MapGet("", async (RunMonitor monitor, CancellationToken cancellationToken) =>
            TypedResults.Ok((await monitor.RecentAsync(50, cancellationToken)).Select(Answer)))
            .WithSummary("The 50 most recent runs with their progress");
        api.MapGet("/{id:long}", async Task<Results<Ok<RunAnswer>, ProblemHttpResult>> (long id, RunMonitor monitor, CancellationToken cancellationToken) =>
            await monitor.GetAsync(id, cancellationToken) is { } run
                ? TypedResults.Ok(Answer(run))
                : TypedResults.Problem($"There is no run {id}.", statusCode: StatusCodes.Status404NotFound))
            .WithSummary("One run's progress: sent, failed, to retry, pending, skipped, rate and ETA");
    }

    private static RunAnswer Answer(RunProgress run) => new(run.RunId, run.Edition, run.Slot, run.Status, run.Total, run.Sent, run.Failed,
        run.Retrying, run.Skipped, run.Pending, run.MessagesPerSecond, run.Done, run.Eta?.TotalSeconds, run.NoMatch);
}

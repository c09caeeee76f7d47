using System.Text;
using Digest.App.Web;
using Digest.App.Web.Access;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Digest.App.Api;

/// <summary>One subscriber as the editors' API lists them.</summary>
public sealed record SubscriberAnswer(long Id, string Email, string Name, string Status, IReadOnlyList<string> Editions);

/// <summary>The answer to every accepted sign-up, whoever the address belongs to.</summary>
public sealed record SignUpAnswer(string Message);

/// <summary>
/// <c>/api/subscribers</c>: public sign-up (POST; rate-limited, body capped, the same answer for every address) and
/// the editors' list (GET), plus the list as CSV for the subscribers page.
/// </summary>
internal static class SubscriberApi
{
    private const int Listed = 500;

    public static void MapSubscriberApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/subscribers").WithTags("Subscribers");

        api.MapPost("", SignUpAsync).DisableAntiforgery()
            .WithMetadata(new RateLimitedAttribute(RateLimits.SignUp), new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(RateLimits.MaxFormBytes))
            .WithSummary("Sign up for editions: a confirmation email goes to the address")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("", ListAsync).RequireAuthorization(AccessPolicies.Editor)
            .WithSummary("Subscribers matching a search, a status and an edition (editors; the first 500)");

        app.MapGet("/subscribers/export.csv", ExportAsync).RequireAuthorization(AccessPolicies.Editor).ExcludeFromDescription();
    }

    private static async Task<Results<Accepted<SignUpAnswer>, ValidationProblem, ProblemHttpResult>> SignUpAsync(SignUpRequest body,
        IOptionsMonitor<EditionsOptions> editions, SignUpService signUp, CancellationToken cancellationToken)
    {
        var (request, problems) = body.Validate(editions.CurrentValue);
        if (request is null)
            return TypedResults.ValidationProblem(problems, detail: string.Join("; ", problems.Values.SelectMany(p => p)));
        if (!await signUp.SignUpAsync(request, cancellationToken))
            return TypedResults.Problem("The confirmation email could not be sent just now; try again in a few minutes.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        return TypedResults.Accepted((string?)null, new SignUpAnswer(SignUpService.AcceptedMessage));
    }

    private static async Task<Results<Ok<IEnumerable<SubscriberAnswer>>, ProblemHttpResult>> ListAsync(string? q, string? status, string? edition,
        SubscriberDirectory directory, IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken)
    {
        if (SubscriberFilters.Problem(status, edition, editions.CurrentValue) is { } problem)
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
        var listings = await directory.SearchAsync(new(q, status, edition), Listed, cancellationToken);
        return TypedResults.Ok(listings.Select(l => new SubscriberAnswer(l.Subscriber.Id, l.Subscriber.Email, l.Subscriber.Name, l.Subscriber.Status, l.Editions)));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(string? q, string? status, string? edition,
        SubscriberDirectory directory, IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken)
    {
        if (SubscriberFilters.Problem(status, edition, editions.CurrentValue) is { } problem)
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
        var listings = await directory.SearchAsync(new(q, status, edition), int.MaxValue, cancellationToken);
        return TypedResults.File(Encoding.UTF8.GetBytes(SubscriberCsv.Write(listings)), "text/csv; charset=utf-8", "subscribers.csv");
    }
}

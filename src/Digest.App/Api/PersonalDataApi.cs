using Digest.Subscribers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digest.App.Api;

/// <summary>
/// A subscriber's own data, reached with the token of their preferences link: <c>GET /api/me/{token}</c> downloads
/// it as JSON, <c>POST /api/me/{token}/delete</c> erases it. The token is the credential (no cookie, no sign-in).
/// </summary>
internal static class PersonalDataApi
{
    public static void MapPersonalDataApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me/{token}").DisableAntiforgery().AddEndpointFilter(async (context, next) =>
        {
            // The token is personal: never cached, never passed on as a referrer.
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            context.HttpContext.Response.Headers["Referrer-Policy"] = "no-referrer";
            return await next(context);
        });
        me.MapGet("", ExportAsync);
        me.MapPost("/delete", DeleteAsync);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(string token, SubscriberLinks links, PersonalData data,
        CancellationToken cancellationToken)
    {
        if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
            return Invalid(problem);
        if (await data.ExportAsync(id, cancellationToken) is not { } export)
            return TypedResults.Problem("there is no data left for this link: it was erased", statusCode: StatusCodes.Status404NotFound);
        byte[] json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(export, System.Text.Json.JsonSerializerOptions.Web);
        return TypedResults.File(json, "application/json", $"digest-subscriber-{id}.json");
    }

    private static async Task<Results<Ok<ErasedAnswer>, ProblemHttpResult>> DeleteAsync(string token, SubscriberLinks links, PersonalData data,
        CancellationToken cancellationToken)
    {
        if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
            return Invalid(problem);
        // Answered the same when already erased: a repeated click is not an error.
        await data.EraseAsync(id, "the subscriber", cancellationToken);
        return TypedResults.Ok(new ErasedAnswer(true, "Your address and name are erased; you will receive nothing more."));
    }

    private static ProblemHttpResult Invalid(string? problem) =>
        TypedResults.Problem(problem ?? "this link is not valid", statusCode: StatusCodes.Status400BadRequest);

    internal sealed record ErasedAnswer(bool Erased, string Message);
}

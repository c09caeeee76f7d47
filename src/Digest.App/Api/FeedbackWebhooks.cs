using System.Text.Json;
using Digest.Feedback;
using Digest.Feedback.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digest.App.Api;

/// <summary>
/// Relays report bounces and complaints here: <c>POST /webhooks/ses</c> (Amazon SES through SNS) and
/// <c>POST /webhooks/mailgun</c>. No sign-in: each call proves itself by its signature. Unsigned calls get 401,
/// forged or stale ones 403; a genuine one is acted on once (a relay's retry changes nothing).
/// </summary>
internal static class FeedbackWebhooks
{
    public static void MapFeedbackWebhooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/webhooks").DisableAntiforgery();
        hooks.MapPost("/ses", async (HttpRequest request, SesNotifications ses, FeedbackProcessor processor, CancellationToken cancellationToken) =>
            await HandleAsync(request, body => ses.ReadAsync(body, cancellationToken), FeedbackSource.Ses, processor, cancellationToken));
        hooks.MapPost("/mailgun", async (HttpRequest request, MailgunEvents mailgun, FeedbackProcessor processor, CancellationToken cancellationToken) =>
            await HandleAsync(request, body => Task.FromResult(mailgun.Read(body)), FeedbackSource.Mailgun, processor, cancellationToken));
    }

    private static async Task<Results<Ok<WebhookAnswer>, UnauthorizedHttpResult, ProblemHttpResult>> HandleAsync(HttpRequest request,
        Func<JsonElement, Task<WebhookCall>> read, string source, FeedbackProcessor processor, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            // SNS posts JSON as text/plain: the body is read as JSON whatever its content type says.
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException error)
        {
            return TypedResults.Problem($"the body is not JSON: {error.Message}", statusCode: StatusCodes.Status400BadRequest);
        }
        var call = await read(body);
        if (!call.Signed)
            return TypedResults.Unauthorized();
        if (!call.Genuine)
            return TypedResults.Problem(call.Problem, statusCode: StatusCodes.Status403Forbidden);
        if (call.SourceKey is null || call.Report is null)
            return TypedResults.Ok(new WebhookAnswer("none", call.Problem ?? "nothing to do", null));
        var result = await processor.ApplyAsync(call.SourceKey, source, call.Report, cancellationToken);
        return TypedResults.Ok(new WebhookAnswer(result.Kind, result.Effect, result.SubscriberId));
    }

    internal sealed record WebhookAnswer(string Kind, string Effect, long? SubscriberId);
}

using Digest.Editions;
using Digest.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Digest.App.Web;

/// <summary>The next digest of an edition, byte for byte the HTML (or text) a subscriber would get (editors only).</summary>
internal static class PreviewEndpoints
{
    /// <summary>A digest is shown as mail shows it: its own inline styles and images, never a script, in a sandbox.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; font-src *; frame-ancestors 'self'; sandbox";

    public static void MapPreview(this IEndpointRouteBuilder app)
    {
        app.MapGet("/preview/{edition}.txt", (HttpContext context, string edition, long? subscriber, string? at, DigestPreview preview, CancellationToken cancellationToken) =>
            RenderAsync(context, edition, subscriber, at, preview, rendered => TypedResults.Text(rendered.Text, "text/plain; charset=utf-8"), cancellationToken))
            .ExcludeFromDescription();
        app.MapGet("/preview/{edition}", (HttpContext context, string edition, long? subscriber, string? at, DigestPreview preview, CancellationToken cancellationToken) =>
            RenderAsync(context, edition, subscriber, at, preview, rendered => TypedResults.Text(rendered.Html, "text/html; charset=utf-8"), cancellationToken))
            .ExcludeFromDescription();
        // A run held for review, exactly as frozen: what its approval would send.
        app.MapGet("/runs/{id:long}/review/digest.txt", (HttpContext context, long id, long? subscriber, DigestPreview preview, CancellationToken cancellationToken) =>
            RenderRunAsync(context, id, subscriber, preview, rendered => TypedResults.Text(rendered.Text, "text/plain; charset=utf-8"), cancellationToken))
            .ExcludeFromDescription();
        app.MapGet("/runs/{id:long}/review/digest", (HttpContext context, long id, long? subscriber, DigestPreview preview, CancellationToken cancellationToken) =>
            RenderRunAsync(context, id, subscriber, preview, rendered => TypedResults.Text(rendered.Html, "text/html; charset=utf-8"), cancellationToken))
            .ExcludeFromDescription();
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> RenderRunAsync(HttpContext context, long id, long? subscriber,
        DigestPreview preview, Func<RenderedDigest, ContentHttpResult> show, CancellationToken cancellationToken)
    {
        try
        {
            if (await preview.RenderRunAsync(id, subscriber, cancellationToken) is not { } digest)
                return TypedResults.Problem($"There is no run {id}.", statusCode: StatusCodes.Status404NotFound, title: "No such run");
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            return show(digest.Rendered);
        }
        catch (UnknownEditionException error)
        {
            return TypedResults.Problem(error.Message, statusCode: StatusCodes.Status404NotFound, title: "No such edition");
        }
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> RenderAsync(HttpContext context, string edition, long? subscriber,
        string? at, DigestPreview preview, Func<RenderedDigest, ContentHttpResult> show, CancellationToken cancellationToken)
    {
        try
        {
            var (_, rendered) = await preview.RenderAsync(edition, subscriber, cancellationToken, string.IsNullOrEmpty(at) ? null : at);
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            return show(rendered);
        }
        catch (UnknownEditionException error)
        {
            return TypedResults.Problem(error.Message, statusCode: StatusCodes.Status404NotFound, title: "No such edition");
        }
        catch (PreviewSlotException error)
        {
            return TypedResults.Problem(error.Message, statusCode: StatusCodes.Status400BadRequest, title: "No such slot");
        }
    }
}

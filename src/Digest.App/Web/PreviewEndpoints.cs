using Digest.Editions;
using Digest.Rendering;

namespace Digest.App.Web;

/// <summary>The next digest of an edition, byte for byte the HTML (or text) a subscriber would get.</summary>
internal static class PreviewEndpoints
{
    public static void MapPreview(this IEndpointRouteBuilder app)
    {
        app.MapGet("/preview/{edition}.txt", (string edition, long? subscriber, DigestPreview preview, CancellationToken cancellationToken) =>
            RenderAsync(edition, subscriber, preview, rendered => Results.Text(rendered.Text, "text/plain; charset=utf-8"), cancellationToken));
        app.MapGet("/preview/{edition}", (string edition, long? subscriber, DigestPreview preview, CancellationToken cancellationToken) =>
            RenderAsync(edition, subscriber, preview, rendered => Results.Content(rendered.Html, "text/html; charset=utf-8"), cancellationToken));
    }

    private static async Task<IResult> RenderAsync(string edition, long? subscriber, DigestPreview preview,
        Func<RenderedDigest, IResult> show, CancellationToken cancellationToken)
    {
        try
        {
            var (_, rendered) = await preview.RenderAsync(edition, subscriber, cancellationToken);
            return show(rendered);
        }
        catch (UnknownEditionException error)
        {
            return Page.Html("No such edition", $"<h1>No such edition</h1><p>{Page.E(error.Message)}</p>", StatusCodes.Status404NotFound);
        }
    }
}

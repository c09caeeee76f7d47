namespace Digest.Rendering;

/// <summary>
/// Turns a composed digest into its HTML and text parts. The seam between the flow and the templates: the body once
/// per run, the reader's partials once per copy, joined at the body's slots.
/// </summary>
public interface IDigestRenderer
{
    /// <summary>The body templates for <paramref name="view"/>, cut at their slots.</summary>
    Task<RenderedBody> RenderBodyAsync(DigestView view);

    /// <summary>The greeting and footer partials for one reader.</summary>
    Task<RenderedRecipient> RenderRecipientAsync(RecipientView recipient);
}

public static class DigestRendering
{
    /// <summary>
    /// One reader's digest in full: the body with their partials in its slots, exactly as a run joins a copy, so a
    /// preview shows what is sent.
    /// </summary>
    public static async Task<RenderedDigest> RenderAsync(this IDigestRenderer renderer, DigestView view, RecipientView recipient) =>
        (await renderer.RenderBodyAsync(view)).Join(await renderer.RenderRecipientAsync(recipient));

    public static Task<RenderedDigest> RenderAsync(this IDigestRenderer renderer, DigestCopy copy) =>
        renderer.RenderAsync(copy.Digest, copy.Recipient);
}

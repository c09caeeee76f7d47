namespace Digest.Rendering;

/// <summary>Turns a composed digest into its HTML and text parts. The seam between the flow and the templates.</summary>
public interface IDigestRenderer
{
    Task<RenderedDigest> RenderAsync(DigestView view);
}

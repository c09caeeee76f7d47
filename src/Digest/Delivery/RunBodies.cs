using System.Collections.Concurrent;
using Digest.Rendering;
using Microsoft.Extensions.Logging;

namespace Digest.Delivery;

/// <summary>
/// The message bodies of one run's copies, for views that differ only in their recipient. The templates run once
/// per kind of recipient (<see cref="DigestStencil"/>) and each copy is that stencil, encoded once, with the
/// recipient's gaps filled: sending a copy costs a few joins, not a render and an encoding pass.
/// </summary>
/// <remarks>
/// A copy must say exactly what the templates say. The first copy of each kind, and every <see cref="CheckEvery"/>th
/// copy after, is also rendered in full and compared; on any difference (a template that branches on a recipient's
/// address, say) every later copy of the run is rendered in full.
/// </remarks>
internal sealed class RunBodies(IDigestRenderer templates, ILogger logger)
{
    public const int CheckEvery = 1000;

    private readonly ConcurrentDictionary<bool, Lazy<Task<Stencil?>>> _stencils = new();
    private long _copies;
    private volatile bool _fullRender;

    public async Task<MessageBody> ForAsync(DigestView view)
    {
        if (_fullRender)
            return MessageBody.From(await templates.RenderAsync(view));
        var stencil = await _stencils.GetOrAdd(DigestStencil.Shape(view), _ => new Lazy<Task<Stencil?>>(() => CheckedStencilAsync(view))).Value;
        if (stencil is null)
            return await FullRenderAsync(view, "the templates change a recipient's field");
        var body = stencil.BodyFor(view);
        if (Interlocked.Increment(ref _copies) % CheckEvery != 0)
            return body;
        var full = await templates.RenderAsync(view);
        if (body.Says(full))
            return body;
        FallBack("a sampled copy differs from its full render");
        return MessageBody.From(full);
    }

    /// <summary>The stencil for <paramref name="view"/>'s kind of recipient, if its copy for this view says what a full render says.</summary>
    private async Task<Stencil?> CheckedStencilAsync(DigestView view)
    {
        if (await DigestStencil.CreateAsync(templates, view) is not { } rendered)
            return null;
        var stencil = new Stencil(rendered, EncodedStencil.From(rendered));
        return stencil.BodyFor(view).Says(await templates.RenderAsync(view)) ? stencil : null;
    }

    private async Task<MessageBody> FullRenderAsync(DigestView view, string reason)
    {
        FallBack(reason);
        return MessageBody.From(await templates.RenderAsync(view));
    }

    private void FallBack(string reason)
    {
        if (_fullRender)
            return;
        _fullRender = true;
        logger.LogWarning("Rendering every copy of this run in full ({Reason}): sending is slower, the content is the same", reason);
    }

    /// <summary>A stencil, and its encoded form when its text allows one.</summary>
    private sealed record Stencil(DigestStencil Rendered, EncodedStencil? Encoded)
    {
        public MessageBody BodyFor(DigestView view) => Encoded?.BodyFor(view) ?? MessageBody.From(Rendered.Fill(view));
    }
}

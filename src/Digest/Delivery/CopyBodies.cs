using Digest.Rendering;

namespace Digest.Delivery;

/// <summary>
/// The message bodies of one kind of copy (<see cref="CopyKind"/>). The body templates render once, for the kind's
/// digest, and are encoded once (<see cref="EncodedBody"/>); each copy renders only its reader's greeting and footer
/// partials and joins them into the body's slots. The body holds nothing about any reader, so every copy is what a
/// full render for its reader says, by construction: nothing to sample or check.
/// </summary>
internal sealed class CopyBodies(IDigestRenderer templates, DigestView view)
{
    private readonly Lazy<Task<(RenderedBody Rendered, EncodedBody? Encoded)>> _body = new(async () =>
    {
        var rendered = await templates.RenderBodyAsync(view);
        return (rendered, EncodedBody.From(rendered));
    });

    public async Task<MessageBody> ForAsync(RecipientView recipient)
    {
        var (rendered, encoded) = await _body.Value;
        var partials = await templates.RenderRecipientAsync(recipient);
        return encoded?.BodyFor(partials) ?? MessageBody.From(rendered.Join(partials));
    }
}

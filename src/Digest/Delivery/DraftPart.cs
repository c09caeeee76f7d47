using MimeKit;
using MimeKit.Text;

namespace Digest.Delivery;

/// <summary>
/// A text part of a <see cref="MessageDraft"/>. Written for the wire (CRLF line ends) while it carries bytes that
/// are already encoded with CRLF line ends, it writes those bytes as they are. MimeKit would pass every byte of
/// every copy through its line-end filter instead: a byte-by-byte scan that costs about as much as MailKit's own
/// dot-stuffing pass, to change nothing.
/// </summary>
internal sealed class DraftPart(TextFormat format) : TextPart(format)
{
    private byte[]? _wire;

    /// <summary>Makes the part carry <paramref name="body"/>, in place of what it carried.</summary>
    public void Carry(BodyPart body)
    {
        body.WriteInto(this);
        _wire = body.Wire;
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (!WritesAsIs(options))
        {
            base.WriteTo(options, stream, contentOnly, cancellationToken);
            return;
        }
        if (!contentOnly)
            Headers.WriteTo(options, stream, cancellationToken);
        stream.Write(_wire!);
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (!WritesAsIs(options))
        {
            await base.WriteToAsync(options, stream, contentOnly, cancellationToken);
            return;
        }
        if (!contentOnly)
            await Headers.WriteToAsync(options, stream, cancellationToken);
        await stream.WriteAsync(_wire, cancellationToken);
    }

    private bool WritesAsIs(FormatOptions options) => _wire is not null && options.NewLineFormat == NewLineFormat.Dos;
}

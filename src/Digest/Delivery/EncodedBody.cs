using System.Text;
using Digest.Rendering;
using MimeKit;
using MimeKit.Encodings;
using MimeKit.IO.Filters;

namespace Digest.Delivery;

/// <summary>
/// A run's digest body (<see cref="RenderedBody"/>) encoded in quoted-printable once per kind of copy; a copy is those
/// bytes with its reader's partials, encoded on their own, in the slots. Each encoded piece starts a line and ends
/// one (a hard line break) or ends in a soft line break, which quoted-printable allows anywhere: the joined pieces
/// decode to exactly what <see cref="RenderedBody.Join"/> gives, and the copy needs no encoding pass of its own.
/// </summary>
internal sealed class EncodedBody
{
    private static readonly byte[] LineBreak = "\r\n"u8.ToArray();

    private readonly RenderedBody _body;
    private readonly byte[][] _html;
    private readonly Dictionary<TextBlock, byte[]> _text = new(ReferenceEqualityComparer.Instance);

    private EncodedBody(RenderedBody body)
    {
        _body = body;
        _html = body.Html.Select(Encode).ToArray();
        foreach (var block in body.Text)
            _text[block] = EncodeLines(block);
    }

    /// <summary>Null when a part is better sent in base64 (mostly non-Latin text), where pieces cannot be joined.</summary>
    public static EncodedBody? From(RenderedBody body) =>
        BodyPart.BodyEncoding(string.Concat(body.Html)) == ContentEncoding.QuotedPrintable
        && BodyPart.BodyEncoding(string.Concat(body.Text.Select(t => t.Lines))) == ContentEncoding.QuotedPrintable
        && !body.Html.Any(piece => piece.EndsWith('\r'))
            ? new EncodedBody(body)
            : null;

    public MessageBody BodyFor(RenderedRecipient recipient)
    {
        var html = Concat(RenderedBody.Interleave(_html, _body.HtmlSlots, slot => Encode(recipient.HtmlFor(slot))).ToList());
        return new MessageBody(BodyPart.FromEncoded(html, ContentEncoding.QuotedPrintable),
            BodyPart.FromEncoded(Text(recipient), ContentEncoding.QuotedPrintable));
    }

    /// <summary>The text part laid out as <see cref="TextBlock.Join"/> lays it out: each block's encoded lines, a blank line where one goes.</summary>
    private byte[] Text(RenderedRecipient recipient)
    {
        var pieces = new List<byte[]>(8);
        var blocks = RenderedBody.Interleave(_body.Text, _body.TextSlots, slot => recipient.TextFor(slot.Part));
        foreach (var (block, blankLine) in TextBlock.Separated(blocks))
        {
            if (blankLine)
                pieces.Add(LineBreak);
            pieces.Add(_text.TryGetValue(block, out byte[]? bytes) ? bytes : EncodeLines(block));
        }
        return pieces.Count == 0 ? LineBreak : Concat(pieces);
    }

    private static byte[] Concat(List<byte[]> pieces)
    {
        var copy = new byte[pieces.Sum(p => p.Length)];
        int at = 0;
        foreach (byte[] piece in pieces)
        {
            piece.CopyTo(copy, at);
            at += piece.Length;
        }
        return copy;
    }

    private static byte[] EncodeLines(TextBlock block) => block.Lines.Length == 0 ? [] : Encode(block.Lines + "\r\n");

    /// <summary>
    /// Quoted-printable with CRLF line ends, ending in a soft line break unless the text ends a line. CRLF
    /// already: a copy then goes on the wire as it is, MimeKit's line-end pass changing nothing.
    /// </summary>
    private static byte[] Encode(string text)
    {
        if (text.Length == 0)
            return [];
        byte[] bytes = Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n"));
        // Lines of at most 72 characters: room to spell out a dot that starts one.
        var encoder = new QuotedPrintableEncoder(72);
        var output = new byte[encoder.EstimateOutputLength(bytes.Length)];
        int length = encoder.Flush(bytes, 0, bytes.Length, output);
        byte[] wire = new Unix2DosFilter().Flush(output, 0, length, out int start, out int wireLength);
        return WithoutLineStartDots(wire.AsSpan(start, wireLength));
    }

    /// <summary>
    /// A dot that starts a line (every piece starts one) is written "=2E". SMTP then has no dot to double: no
    /// relay that mishandles doubled dots can lose one, and MailKit, which copies a whole part again whenever
    /// one of its lines starts with a dot, passes each copy through untouched.
    /// </summary>
    private static byte[] WithoutLineStartDots(ReadOnlySpan<byte> encoded)
    {
        int dots = 0;
        for (int i = 0; i < encoded.Length; i++)
            dots += StartsLineWithDot(encoded, i) ? 1 : 0;
        if (dots == 0)
            return encoded.ToArray();
        var output = new byte[encoded.Length + 2 * dots];
        int at = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            if (StartsLineWithDot(encoded, i))
            {
                "=2E"u8.CopyTo(output.AsSpan(at));
                at += 3;
            }
            else
                output[at++] = encoded[i];
        }
        return output;
    }

    private static bool StartsLineWithDot(ReadOnlySpan<byte> encoded, int i) =>
        encoded[i] == (byte)'.' && (i == 0 || encoded[i - 1] == (byte)'\n');
}

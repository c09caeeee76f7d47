using System.Buffers;
using System.Text;
using Digest.Rendering;
using MimeKit;
using MimeKit.Encodings;

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
        var html = RenderedBody.Interleave(_html, _body.HtmlSlots, slot => Encode(recipient.HtmlFor(slot))).ToList();
        return new MessageBody(BodyPart.FromEncoded(html, ContentEncoding.QuotedPrintable),
            BodyPart.FromEncoded(Text(recipient), ContentEncoding.QuotedPrintable));
    }

    /// <summary>The text part laid out as <see cref="TextBlock.Join"/> lays it out: each block's encoded lines, a blank line where one goes.</summary>
    private List<byte[]> Text(RenderedRecipient recipient)
    {
        var pieces = new List<byte[]>(8);
        var blocks = RenderedBody.Interleave(_body.Text, _body.TextSlots, slot => recipient.TextFor(slot.Part));
        foreach (var (block, blankLine) in TextBlock.Separated(blocks))
        {
            if (blankLine)
                pieces.Add(LineBreak);
            pieces.Add(_text.TryGetValue(block, out byte[]? bytes) ? bytes : EncodeLines(block));
        }
        if (pieces.Count == 0)
            pieces.Add(LineBreak);
        return pieces;
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
        byte[] output = ArrayPool<byte>.Shared.Rent(encoder.EstimateOutputLength(bytes.Length));
        try
        {
            return OnTheWire(output.AsSpan(0, encoder.Flush(bytes, 0, bytes.Length, output)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>
    /// The encoder's lines with CRLF ends, and a dot that starts a line (every piece starts one) written "=2E". SMTP
    /// then has no dot to double: no relay that mishandles doubled dots can lose one, and MailKit, which copies a
    /// whole part again whenever one of its lines starts with a dot, passes each copy through untouched.
    /// </summary>
    private static byte[] OnTheWire(ReadOnlySpan<byte> encoded)
    {
        // The encoder ends lines with a bare LF: each gains a CR, and each that a dot follows that dot's "=2E".
        int extra = 0;
        for (int at = 0, next; (next = encoded[at..].IndexOf((byte)'\n')) >= 0; at += next + 1)
            extra += (BareAt(encoded, at + next) ? 1 : 0) + (StartsWithDot(encoded[(at + next + 1)..]) ? 2 : 0);
        extra += StartsWithDot(encoded) ? 2 : 0;
        var output = new byte[encoded.Length + extra];
        var rest = output.AsSpan();
        while (true)
        {
            if (StartsWithDot(encoded))
            {
                "=2E"u8.CopyTo(rest);
                rest = rest[3..];
                encoded = encoded[1..];
            }
            int end = encoded.IndexOf((byte)'\n');
            if (end < 0)
                break;
            encoded[..end].CopyTo(rest);
            rest = rest[end..];
            if (BareAt(encoded, end))
            {
                rest[0] = (byte)'\r';
                rest = rest[1..];
            }
            rest[0] = (byte)'\n';
            rest = rest[1..];
            encoded = encoded[(end + 1)..];
        }
        encoded.CopyTo(rest);
        return output;
    }

    private static bool BareAt(ReadOnlySpan<byte> encoded, int lineFeed) => lineFeed == 0 || encoded[lineFeed - 1] != (byte)'\r';

    private static bool StartsWithDot(ReadOnlySpan<byte> line) => line.Length > 0 && line[0] == (byte)'.';
}

using System.Text;
using Digest.Rendering;
using MimeKit;
using MimeKit.Encodings;
using MimeKit.IO.Filters;

namespace Digest.Delivery;

/// <summary>
/// A stencil's two parts encoded in quoted-printable once per run; a copy is those bytes with the recipient's gap
/// values, encoded on their own, between them. Quoted-printable allows a soft line break anywhere and each piece
/// ends with one, so the joined pieces decode to exactly the filled stencil, and the copy needs no encoding pass.
/// </summary>
internal sealed class EncodedStencil
{
    private readonly EncodedPart _html;
    private readonly EncodedPart _text;

    private EncodedStencil(EncodedPart html, EncodedPart text)
    {
        _html = html;
        _text = text;
    }

    /// <summary>Null when a part is better sent in base64 (mostly non-Latin text), where pieces cannot be joined.</summary>
    public static EncodedStencil? From(DigestStencil stencil) =>
        EncodedPart.From(stencil.Html) is { } html && EncodedPart.From(stencil.Text) is { } text ? new EncodedStencil(html, text) : null;

    /// <summary>Null when a gap value holds a line break, which must not straddle two pieces.</summary>
    public MessageBody? BodyFor(DigestView view) =>
        _html.For(view) is { } html && _text.For(view) is { } text
            ? new MessageBody(BodyPart.FromEncoded(html, ContentEncoding.QuotedPrintable), BodyPart.FromEncoded(text, ContentEncoding.QuotedPrintable))
            : null;

    private sealed class EncodedPart(byte[][] literals, IReadOnlyList<StencilGap> gaps)
    {
        private readonly int _literalLength = literals.Sum(l => l.Length);

        public static EncodedPart? From(StencilPart part)
        {
            if (BodyPart.BodyEncoding(string.Concat(part.Literals)) != ContentEncoding.QuotedPrintable
                || part.Literals.Any(l => l.EndsWith('\r')))
                return null;
            return new EncodedPart(part.Literals.Select(Encode).ToArray(), part.Gaps);
        }

        public byte[]? For(DigestView view)
        {
            var values = new byte[gaps.Count][];
            int length = _literalLength;
            for (int i = 0; i < values.Length; i++)
            {
                string value = gaps[i].ValueFor(view);
                if (value.AsSpan().ContainsAny('\r', '\n'))
                    return null;
                values[i] = Encode(value);
                length += values[i].Length;
            }
            var copy = new byte[length];
            int at = 0;
            for (int i = 0; i < values.Length; i++)
            {
                literals[i].CopyTo(copy, at);
                at += literals[i].Length;
                values[i].CopyTo(copy, at);
                at += values[i].Length;
            }
            literals[^1].CopyTo(copy, at);
            return copy;
        }

        /// <summary>
        /// Quoted-printable with CRLF line ends, ending in a soft line break unless the text ends a line. CRLF
        /// already: a copy then goes on the wire as it is, MimeKit's line-end pass changing nothing.
        /// </summary>
        private static byte[] Encode(string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
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
}

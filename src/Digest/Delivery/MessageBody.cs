using System.Text;
using Digest.Rendering;
using MimeKit;
using MimeKit.Encodings;
using MimeKit.Text;

namespace Digest.Delivery;

/// <summary>The two parts of one digest message, each as text for MimeKit to encode or as bytes already encoded.</summary>
public sealed record MessageBody(BodyPart Html, BodyPart Text)
{
    public static MessageBody From(RenderedDigest digest) => new(BodyPart.FromText(digest.Html), BodyPart.FromText(digest.Text));
}

/// <summary>One text part of a digest message, in UTF-8.</summary>
public sealed class BodyPart
{
    private readonly string? _text;
    private readonly IReadOnlyList<byte[]>? _encoded;

    private BodyPart(string? text, IReadOnlyList<byte[]>? encoded, ContentEncoding encoding)
    {
        _text = text;
        _encoded = encoded;
        Encoding = encoding;
    }

    public ContentEncoding Encoding { get; }

    /// <summary>Text that MimeKit encodes when the message is written, in the encoding that suits it.</summary>
    public static BodyPart FromText(string text) => new(text, null, BodyEncoding(text));

    /// <summary>
    /// Bytes already in <paramref name="encoding"/>, with CRLF line ends as on the wire, in pieces that follow one
    /// another (most of a copy's pieces are shared by the run's other copies): MimeKit writes
    /// them without encoding them again (the part's content is declared in the part's own transfer encoding), and its
    /// line-end pass finds nothing to change.
    /// </summary>
    public static BodyPart FromEncoded(IReadOnlyList<byte[]> encoded, ContentEncoding encoding) => new(null, encoded, encoding);

    /// <summary>
    /// Always an explicit 7-bit-safe encoding, so no relay re-encodes the body and breaks the signature:
    /// quoted-printable for mostly Latin text (readable, small), base64 once a third of it is other scripts,
    /// where quoted-printable would nearly triple the size.
    /// </summary>
    public static ContentEncoding BodyEncoding(string content)
    {
        if (Ascii.IsValid(content))
            return ContentEncoding.QuotedPrintable;
        int nonAscii = 0;
        foreach (char c in content)
            nonAscii += c > 0x7F ? 1 : 0;
        return nonAscii * 3 > content.Length ? ContentEncoding.Base64 : ContentEncoding.QuotedPrintable;
    }

    public TextPart ToMime(TextFormat format)
    {
        var part = new TextPart(format);
        WriteInto(part);
        return part;
    }

    /// <summary>Makes <paramref name="part"/> carry this text, in place of what it carried.</summary>
    public void WriteInto(TextPart part)
    {
        // MimeKit's content has a finalizer: the replaced content is disposed, not left for the finalizer thread.
        part.Content?.Dispose();
        part.ContentTransferEncoding = Encoding;
        if (_text is not null)
        {
            // An Encoding, not the name "utf-8": MimeKit looks a name up under a lock every time.
            part.SetText(System.Text.Encoding.UTF8, _text);
            return;
        }
        part.ContentType.Charset = "utf-8";
        part.Content = new MimeContent(Stream(_encoded!), Encoding);
    }

    /// <summary>The text this part carries.</summary>
    public string Decode()
    {
        if (_text is not null)
            return _text;
        IMimeDecoder decoder = Encoding == ContentEncoding.Base64 ? new Base64Decoder() : new QuotedPrintableDecoder();
        byte[] encoded = Joined(_encoded!);
        var output = new byte[decoder.EstimateOutputLength(encoded.Length)];
        int length = decoder.Decode(encoded, 0, encoded.Length, output);
        return System.Text.Encoding.UTF8.GetString(output, 0, length);
    }

    /// <summary>
    /// The pieces as one stream; seekable, as MimeKit needs to read a part again (to sign it, then to send it). Joined
    /// into one array: MimeKit writes a part in as many calls, each through its line-end and SMTP filters, as its
    /// stream has reads, and one read per piece (a partial is a few hundred bytes) cost more than the copy does.
    /// </summary>
    private static MemoryStream Stream(IReadOnlyList<byte[]> pieces) =>
        new(pieces.Count == 1 ? pieces[0] : Joined(pieces), writable: false);

    private static byte[] Joined(IReadOnlyList<byte[]> pieces)
    {
        // Every byte is written below: no need to clear the array first.
        byte[] joined = GC.AllocateUninitializedArray<byte>(pieces.Sum(piece => piece.Length));
        int at = 0;
        foreach (byte[] piece in pieces)
        {
            piece.CopyTo(joined, at);
            at += piece.Length;
        }
        return joined;
    }
}

using System.Text;

namespace Digest.Rendering;

/// <summary>
/// A run's digest rendered once with a marker wherever a recipient's own text goes (greeting name, footer reason,
/// preference and unsubscribe links), so each copy is the run's rendering with those gaps filled: string joins
/// instead of a template render per subscriber.
/// </summary>
/// <remarks>
/// A marker is letters and digits (which neither encoding changes) followed by an ampersand: an HTML-encoded gap
/// shows it as <c>&amp;amp;</c>, a raw one (the text part) as <c>&amp;</c>, so each gap is filled the way the
/// template wrote it. A template could still do something else with a recipient's field (change its case, branch
/// on its value): whoever sends from a stencil checks it against full renders.
/// </remarks>
public sealed class DigestStencil
{
    private DigestStencil(StencilPart html, StencilPart text)
    {
        Html = html;
        Text = text;
    }

    public StencilPart Html { get; }
    public StencilPart Text { get; }

    /// <summary>
    /// Renders <paramref name="view"/> with markers for its recipient fields. A greeting shows only for a recipient
    /// with a name, so a stencil stands for either named or unnamed recipients (<see cref="Shape"/>); null when
    /// the rendering holds a marker the template changed.
    /// </summary>
    public static async Task<DigestStencil?> CreateAsync(IDigestRenderer renderer, DigestView view)
    {
        string nonce = Guid.NewGuid().ToString("N")[..16];
        string Marker(RecipientField field) => $"Dg{nonce}f{(int)field}&";
        var marked = view with
        {
            RecipientName = view.RecipientName.Length == 0 ? "" : Marker(RecipientField.Name),
            Footer = view.Footer with
            {
                Reason = Marker(RecipientField.Reason),
                UnsubscribeUrl = Marker(RecipientField.UnsubscribeUrl),
                PreferencesUrl = Marker(RecipientField.PreferencesUrl),
            },
        };
        var rendered = await renderer.RenderAsync(marked);
        string prefix = $"Dg{nonce}f";
        return StencilPart.Split(rendered.Html, prefix) is { } html && StencilPart.Split(rendered.Text, prefix) is { } text
            ? new DigestStencil(html, text)
            : null;
    }

    /// <summary>Which stencil serves a recipient: named and unnamed ones differ by the greeting.</summary>
    public static bool Shape(DigestView view) => view.RecipientName.Length > 0;

    /// <summary>The digest for the recipient in <paramref name="view"/>.</summary>
    public RenderedDigest Fill(DigestView view) => new(Html.Fill(view), Text.Fill(view));
}

/// <summary>The fields of a digest that differ per recipient, in marker order.</summary>
public enum RecipientField { Name, Reason, UnsubscribeUrl, PreferencesUrl }

/// <summary>One gap of a stencil: which field fills it, and whether the template HTML-encoded it there.</summary>
public readonly record struct StencilGap(RecipientField Field, bool HtmlEncoded)
{
    /// <summary>The text that goes in this gap for the recipient in <paramref name="view"/>.</summary>
    public string ValueFor(DigestView view)
    {
        string value = Field switch
        {
            RecipientField.Name => view.RecipientName,
            RecipientField.Reason => view.Footer.Reason,
            RecipientField.UnsubscribeUrl => view.Footer.UnsubscribeUrl,
            _ => view.Footer.PreferencesUrl,
        };
        return HtmlEncoded ? EmailHtml.Encoder.Encode(value) : value;
    }
}

/// <summary>One rendered part of a stencil: literal text with a gap between each two literals.</summary>
public sealed class StencilPart
{
    private StencilPart(IReadOnlyList<string> literals, IReadOnlyList<StencilGap> gaps)
    {
        Literals = literals;
        Gaps = gaps;
    }

    /// <summary>One more than <see cref="Gaps"/>: the text before the first gap, between gaps, and after the last.</summary>
    public IReadOnlyList<string> Literals { get; }
    public IReadOnlyList<StencilGap> Gaps { get; }

    public string Fill(DigestView view)
    {
        var output = new StringBuilder(Literals.Sum(l => l.Length) + 512);
        for (int i = 0; i < Gaps.Count; i++)
            output.Append(Literals[i]).Append(Gaps[i].ValueFor(view));
        return output.Append(Literals[^1]).ToString();
    }

    internal static StencilPart? Split(string rendered, string prefix)
    {
        var literals = new List<string>();
        var gaps = new List<StencilGap>();
        int at = 0;
        for (int found; (found = rendered.IndexOf(prefix, at, StringComparison.Ordinal)) >= 0;)
        {
            int digit = found + prefix.Length;
            if (digit + 1 >= rendered.Length || rendered[digit + 1] != '&' || !Enum.IsDefined((RecipientField)(rendered[digit] - '0')))
                return null;
            bool encoded = string.CompareOrdinal(rendered, digit + 1, "&amp;", 0, 5) == 0;
            literals.Add(rendered[at..found]);
            gaps.Add(new StencilGap((RecipientField)(rendered[digit] - '0'), encoded));
            at = digit + 1 + (encoded ? 5 : 1);
        }
        literals.Add(rendered[at..]);
        return new StencilPart(literals, gaps);
    }
}

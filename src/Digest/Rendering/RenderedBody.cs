using System.Text;

namespace Digest.Rendering;

/// <summary>A slot as the body template placed it: which part goes there, and the line end its line had.</summary>
public readonly record struct BodySlot(RecipientPart Part, string LineEnd);

/// <summary>
/// A run's digest body, rendered once, cut at its slots: <see cref="Html"/> and <see cref="Text"/> hold the text
/// before the first slot, between slots, and after the last (one more piece than <see cref="HtmlSlots"/> and
/// <see cref="TextSlots"/>). Each copy is these pieces with its reader's partials in the slots (<see cref="Join"/>):
/// a slot's line is replaced by the partial's lines.
/// </summary>
public sealed class RenderedBody
{
    private RenderedBody(IReadOnlyList<string> html, IReadOnlyList<BodySlot> htmlSlots, IReadOnlyList<TextBlock> text, IReadOnlyList<BodySlot> textSlots)
    {
        Html = html;
        HtmlSlots = htmlSlots;
        Text = text;
        TextSlots = textSlots;
    }

    public IReadOnlyList<string> Html { get; }
    public IReadOnlyList<BodySlot> HtmlSlots { get; }
    public IReadOnlyList<TextBlock> Text { get; }
    public IReadOnlyList<BodySlot> TextSlots { get; }

    /// <summary>The digest for the reader whose partials are <paramref name="recipient"/>.</summary>
    public RenderedDigest Join(RenderedRecipient recipient)
    {
        var html = new StringBuilder(Html.Sum(p => p.Length) + 2048);
        foreach (string piece in Interleave(Html, HtmlSlots, slot => recipient.HtmlFor(slot)))
            html.Append(piece);
        return new RenderedDigest(html.ToString(), TextBlock.Join(Interleave(Text, TextSlots, slot => recipient.TextFor(slot.Part))));
    }

    /// <summary>The pieces with what <paramref name="fill"/> gives for each slot between them.</summary>
    public static IEnumerable<T> Interleave<T>(IReadOnlyList<T> pieces, IReadOnlyList<BodySlot> slots, Func<BodySlot, T> fill)
    {
        for (int i = 0; i < slots.Count; i++)
        {
            yield return pieces[i];
            yield return fill(slots[i]);
        }
        yield return pieces[^1];
    }

    /// <summary>Cuts the rendered body templates at their slots; a slot missing, repeated, changed or sharing its line is refused.</summary>
    /// <exception cref="TemplateException">Names the template file and the slot.</exception>
    internal static RenderedBody Cut(string html, string htmlFile, string text, string textFile)
    {
        var (htmlPieces, htmlSlots) = Cut(html, htmlFile);
        var (textPieces, textSlots) = Cut(text, textFile);
        return new RenderedBody(htmlPieces, htmlSlots, textPieces.Select(TextBlock.From).ToList(), textSlots);
    }

    private static (List<string> Pieces, List<BodySlot> Slots) Cut(string rendered, string file)
    {
        var slots = RecipientSlots.Instance;
        var pieces = new List<string>();
        var found = new List<BodySlot>();
        int at = 0;
        for (int marker; (marker = rendered.IndexOf(slots.Prefix, at, StringComparison.Ordinal)) >= 0;)
        {
            var slot = slots.All.FirstOrDefault(s => string.CompareOrdinal(rendered, marker, s.Marker, 0, s.Marker.Length) == 0)
                ?? throw Refused(file, "a slot (@Model.Recipient.Greeting or .Footer) was changed by the template; write it as it is");
            if (found.Any(s => s.Part == slot.Part))
                throw Refused(file, $"{slot.Expression} is shown more than once; show it once");
            int lineStart = marker == 0 ? 0 : rendered.LastIndexOf('\n', marker - 1) + 1;
            int lineEnd = rendered.IndexOf('\n', marker);
            int after = lineEnd < 0 ? rendered.Length : lineEnd + 1;
            int end = lineEnd < 0 ? rendered.Length : lineEnd > 0 && rendered[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (lineStart < at || !string.IsNullOrWhiteSpace(rendered[lineStart..marker]) || !string.IsNullOrWhiteSpace(rendered[(marker + slot.Marker.Length)..end]))
                throw Refused(file, $"{slot.Expression} must stand on a line of its own");
            pieces.Add(rendered[at..lineStart]);
            found.Add(new BodySlot(slot.Part, rendered[end..after]));
            at = after;
        }
        pieces.Add(rendered[at..]);
        if (slots.All.FirstOrDefault(s => found.All(f => f.Part != s.Part)) is { } missing)
            throw Refused(file, $"{missing.Expression} is missing; the reader's {missing.Part.ToString().ToLowerInvariant()} goes where it stands, on a line of its own");
        return (pieces, found);
    }

    private static TemplateException Refused(string file, string problem) => new($"Template {file}: {problem}");
}

/// <summary>
/// One reader's partials, rendered: the HTML ones without blank lines at either end (a slot's line end follows
/// them), the text ones as blocks of lines.
/// </summary>
public sealed record RenderedRecipient(string GreetingHtml, string FooterHtml, TextBlock GreetingText, TextBlock FooterText)
{
    /// <summary>What goes in an HTML slot: the partial's lines, ended as the slot's line was; nothing for an empty partial.</summary>
    public string HtmlFor(BodySlot slot) => (slot.Part == RecipientPart.Greeting ? GreetingHtml : FooterHtml) is { Length: > 0 } html ? html + slot.LineEnd : "";

    public TextBlock TextFor(RecipientPart part) => part == RecipientPart.Greeting ? GreetingText : FooterText;

    /// <summary>A rendered HTML partial without its leading and trailing blank lines.</summary>
    public static string HtmlLines(string rendered)
    {
        int first = 0;
        while (first < rendered.Length && char.IsWhiteSpace(rendered[first]))
            first++;
        if (first == rendered.Length)
            return "";
        int last = rendered.Length - 1;
        while (char.IsWhiteSpace(rendered[last]))
            last--;
        int start = rendered.LastIndexOf('\n', first) + 1;
        int end = rendered.IndexOf('\n', last);
        if (end < 0)
            end = rendered.Length;
        else if (rendered[end - 1] == '\r')
            end--;
        return rendered[start..end];
    }
}

using System.Text;

namespace Digest.Rendering;

/// <summary>
/// A run of whole lines of a digest's text part, laid out as the part shows them: trailing spaces cut (Razor leaves
/// the indentation and blank lines of its code blocks behind), at most one blank line in a row, none at the start or
/// end of the part. A text part is its blocks joined (<see cref="Join"/>): a blank line goes between two blocks when
/// either had one at that edge, so the layout of the joined part does not depend on where the blocks were cut.
/// </summary>
public sealed class TextBlock
{
    public static readonly TextBlock Empty = new("", false, false);

    private TextBlock(string lines, bool blankBefore, bool blankAfter)
    {
        Lines = lines;
        BlankBefore = blankBefore;
        BlankAfter = blankAfter;
    }

    /// <summary>The block's lines joined with CRLF, no blank line first or last; empty when it has none but blank ones.</summary>
    public string Lines { get; }

    /// <summary>A blank line came before the first line (for a block of only blank lines: it had one).</summary>
    public bool BlankBefore { get; }

    /// <summary>A blank line came after the last line.</summary>
    public bool BlankAfter { get; }

    /// <summary>The block of <paramref name="text"/>'s lines; a line break that ends it ends its last line, and is no blank line.</summary>
    public static TextBlock From(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        int count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var kept = new StringBuilder(text.Length);
        bool blank = false, blankBefore = false, any = false;
        for (int i = 0; i < count; i++)
        {
            string line = lines[i].TrimEnd();
            if (line.Length == 0)
            {
                blank = true;
                continue;
            }
            if (!any)
                blankBefore = blank;
            else
                kept.Append(blank ? "\r\n\r\n" : "\r\n");
            kept.Append(line);
            any = true;
            blank = false;
        }
        return any ? new TextBlock(kept.ToString(), blankBefore, blank) : blank ? new TextBlock("", true, true) : Empty;
    }

    /// <summary>
    /// The text part of these blocks in order: their lines, CRLF after each, a blank line between two blocks where
    /// either had one at that edge, none at the start or end.
    /// </summary>
    public static string Join(IEnumerable<TextBlock> blocks)
    {
        var text = new StringBuilder();
        foreach (var (block, separator) in Separated(blocks))
            text.Append(separator ? "\r\n" : "").Append(block.Lines).Append("\r\n");
        return text.Length == 0 ? "\r\n" : text.ToString();
    }

    /// <summary>The blocks that have lines, each with whether a blank line goes before it.</summary>
    public static IEnumerable<(TextBlock Block, bool BlankLineBefore)> Separated(IEnumerable<TextBlock> blocks)
    {
        bool any = false, pending = false;
        foreach (var block in blocks)
        {
            if (block.Lines.Length == 0)
            {
                pending |= block.BlankBefore;
                continue;
            }
            yield return (block, any && (pending || block.BlankBefore));
            any = true;
            pending = block.BlankAfter;
        }
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace Digest.Articles;

/// <summary>
/// Reads the article text format: title, "Published" date, "Highlights" bullets, "Rewritten Article" body and a
/// closing analysis. Takes the quirks of real files in stride (BOM, CRLF, a lone "-" as separator, a body
/// repeated twice, trailing blank lines) and rejects what cannot be an article with the line that says why.
/// </summary>
public static partial class ArticleParser
{
    /// <summary>Parses raw bytes as they arrive from the inbox or the API.</summary>
    public static ParseOutcome Parse(ReadOnlySpan<byte> bytes, long maxBytes = long.MaxValue)
    {
        if (bytes.Length > maxBytes)
            return new ParseOutcome(null, [TooLarge(bytes.Length, maxBytes)]);
        if (bytes.StartsWith(Utf8Bom))
            bytes = bytes[Utf8Bom.Length..];

        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            return ParseOutcome.Fail(LineAt(bytes, nul), $"binary content (a NUL byte at offset {nul}); articles are UTF-8 text");

        if (InvalidUtf8(bytes) is { } invalid)
            return new ParseOutcome(null, [invalid]);

        return Parse(Encoding.UTF8.GetString(bytes));
    }

    /// <summary>Parses text that is already decoded.</summary>
    public static ParseOutcome Parse(string text)
    {
        var lines = LineBreak().Split(text.TrimStart('\uFEFF'));
        var reader = new Reader(lines);
        return reader.Read();
    }

    public static ArticleProblem TooLarge(long size, long maxBytes) =>
        new(0, $"the article is {size:N0} bytes, over the limit of {maxBytes:N0} bytes");

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Where the bytes stop being UTF-8 text, if they do.</summary>
    internal static ArticleProblem? InvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int invalid = FirstInvalidUtf8(bytes);
        return invalid < 0 ? null
            : new ArticleProblem(LineAt(bytes, invalid), $"invalid UTF-8 at byte offset {invalid}; save the text as UTF-8");
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
            return -1;
        var scratch = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            Utf8.ToUtf16(bytes, scratch, out int read, out _, replaceInvalidSequences: false);
            return read;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
    }

    private static int LineAt(ReadOnlySpan<byte> bytes, int offset) => bytes[..offset].Count((byte)'\n') + 1;

    /// <summary>Walks the lines once, section by section.</summary>
    private sealed class Reader(string[] lines)
    {
        private enum Section { Preamble, Highlights, Body, Analysis, Repeat }

        private readonly List<ArticleProblem> _problems = [];
        private readonly List<string> _highlights = [];
        private readonly List<string> _body = [];
        private readonly List<string> _analysis = [];
        private string? _title;
        private string? _rewrittenHeadline;
        private DateOnly? _published;
        private ArticleImage? _image;
        private IReadOnlyList<string> _topics = [];
        private int _topicsLine;
        private int _publishedLine;
        private int _titleLine = 1;
        private bool _missingTitleReported;

        public ParseOutcome Read()
        {
            if (lines.All(string.IsNullOrWhiteSpace))
                return ParseOutcome.Fail(0, "the file is empty");

            var section = Section.Preamble;
            for (int i = 0; i < lines.Length && section != Section.Repeat; i++)
            {
                string line = Clean(lines[i]);
                if (line.Length == 0)
                    continue;
                section = Accept(section, line, i + 1);
            }
            return Finish();
        }

        private Section Accept(Section section, string line, int number)
        {
            if (_title is null && section == Section.Preamble && StartsBelowTitle(line))
            {
                // The title line is missing: the article starts with what belongs below it. Reading goes on (an
                // empty title) so the other problems are reported in the same pass.
                _title = "";
                _missingTitleReported = true;
                _problems.Add(new ArticleProblem(number, $"no headline: the article starts with '{Shorten(line)}' where its title should be"));
            }
            if (_title is not null && section is Section.Preamble or Section.Highlights
                && PublishedLine().Match(line) is { Success: true } published)
            {
                ReadDate(published.Groups["date"].Value, number);
                return section;
            }
            if (_title is not null && section is Section.Preamble or Section.Highlights
                && ImageLine().Match(line) is { Success: true } image)
            {
                ReadImage(image, number);
                return section;
            }
            if (_title is not null && _topicsLine == 0 && section is Section.Preamble or Section.Highlights
                && TopicsLine().Match(line) is { Success: true } topics)
            {
                ReadTopics(topics.Groups["list"].Value, number);
                return section;
            }
            if (HeadlineLine().Match(line) is { Success: true } headline)
            {
                _title ??= headline.Groups["text"].Value.Trim();
                _rewrittenHeadline ??= headline.Groups["text"].Value.Trim();
                return section;
            }
            if (HighlightsHeading().IsMatch(line) && section == Section.Preamble)
                return Section.Highlights;
            if (RewrittenHeading().IsMatch(line) && section is Section.Preamble or Section.Highlights)
                return Section.Body;
            if (AnalysisHeading().IsMatch(line) && section is Section.Preamble or Section.Highlights or Section.Body)
                return Section.Analysis;
            if (AnalysisHeading().IsMatch(line))
                return Section.Repeat; // a second analysis heading belongs to the repeated copy

            var bullet = Bullet().Match(line);
            if (bullet.Success && bullet.Groups["text"].Value.Trim().Length == 0)
                return section; // a lone "-" separates sections; it is never an empty highlight

            switch (section)
            {
                case Section.Preamble when _title is null:
                    _title = line.Trim();
                    _titleLine = number;
                    return section;
                case Section.Preamble or Section.Highlights when bullet.Success:
                    _highlights.Add(bullet.Groups["text"].Value.Trim());
                    return Section.Highlights;
                case Section.Preamble or Section.Highlights or Section.Body:
                    _body.Add(line.Trim());
                    return Section.Body;
                default:
                    // The sample repeats its whole body after the analysis: its first paragraph marks the copy.
                    if (_body.Count > 0 && line.Trim() == _body[0])
                        return Section.Repeat;
                    _analysis.Add(line.Trim());
                    return section;
            }
        }

        private void ReadDate(string text, int number)
        {
            if (_published is not null)
                return;
            _publishedLine = number;
            if (PublishedDate.TryRead(text, out var date))
                _published = date;
            else
                _problems.Add(new ArticleProblem(number,
                    $"cannot read the date '{text.Trim()}'; write it as 9 August 2025, August 9, 2025 or 2025-08-09"));
        }

        /// <summary>"Image: https://… words that describe it": the first such line counts.</summary>
        private void ReadImage(Match line, int number)
        {
            if (_image is not null)
                return;
            _image = ArticleImage.From(line.Groups["url"].Value, line.Groups["alt"].Value, baseUri: null, out string? problem);
            if (problem is not null)
                _problems.Add(new ArticleProblem(number, $"Image: {problem}; write it as 'Image: https://example.org/picture.jpg' and, optionally, words that describe it"));
        }

        /// <summary>An optional "Topics: Energy, Transport" line below the title (the first one counts).</summary>
        private void ReadTopics(string list, int number)
        {
            _topicsLine = number;
            var (topics, problem) = ArticleTopics.ReadList(list, "Topics");
            if (problem is not null)
                _problems.Add(new ArticleProblem(number, problem));
            _topics = topics;
        }

        private ParseOutcome Finish()
        {
            if (string.IsNullOrWhiteSpace(_title) && !_missingTitleReported)
                _problems.Add(new ArticleProblem(1, "no headline: the first line must be the article's title"));
            if (_published is null && _publishedLine == 0)
                // It belongs on the line after the title; a one-line file has no such line, so point at the title.
                _problems.Add(new ArticleProblem(Math.Min(_titleLine + 1, lines.Length),
                    "no 'Published' line with the article's date below the title (e.g. 'Published 9 August 2025')"));
            if (_problems.Count > 0)
                return new ParseOutcome(null, _problems);

            var article = new ArticleContent(
                _title!,
                _published!.Value,
                _highlights,
                WithoutRepeat(_body),
                WithoutRepeat(_analysis),
                _image) { Topics = _topics };
            if (article.Highlights.Count == 0 && article.Body.Count == 0)
                return ParseOutcome.Fail(1, "the article has neither highlights nor a body");
            return new ParseOutcome(article, []);
        }

        private static bool StartsBelowTitle(string line) =>
            Bullet().Match(line) is { Success: true } bullet && bullet.Groups["text"].Value.Trim().Length > 0
            || PublishedLine().Match(line) is { Success: true } published && PublishedDate.TryRead(published.Groups["date"].Value, out _);

        private static string Shorten(string line) => line.Length <= 60 ? line.Trim() : line.Trim()[..57] + "...";

        /// <summary>Folds non-breaking and other odd spaces so headings and bullets are recognised.</summary>
        private static string Clean(string line) => line.Replace('\u00A0', ' ').Replace('\t', ' ').TrimEnd();
    }

    /// <summary>When a section is its own first half written twice, keep one copy.</summary>
    internal static IReadOnlyList<string> WithoutRepeat(List<string> paragraphs)
    {
        for (int start = 1; start < paragraphs.Count; start++)
        {
            if (paragraphs[start] != paragraphs[0])
                continue;
            int length = paragraphs.Count - start;
            if (length <= start && paragraphs.Skip(start).SequenceEqual(paragraphs.Take(length)))
                return paragraphs.Take(start).ToList();
        }
        return paragraphs;
    }

    [GeneratedRegex(@"\r\n|\r|\n")]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"^\s*Published\b\s*:?\s*(?<date>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex PublishedLine();

    [GeneratedRegex(@"^\s*Topics\s*:\s*(?<list>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex TopicsLine();

    [GeneratedRegex(@"^\s*Headline\s*:\s*(?<text>\S.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex HeadlineLine();

    [GeneratedRegex(@"^\s*Image\s*:\s*(?<url>\S*)\s*(?<alt>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex ImageLine();

    [GeneratedRegex(@"^\s*Highlights\s*:?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex HighlightsHeading();

    [GeneratedRegex(@"^\s*Rewritten Article\s*:?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex RewrittenHeading();

    [GeneratedRegex(@"^\s*(Scenario Analysis|What this might mean)\s*:?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex AnalysisHeading();

    [GeneratedRegex(@"^\s*[-•*–]\s*(?<text>.*)$")]
    private static partial Regex Bullet();
}

/// <summary>The date forms seen in the wild after "Published".</summary>
internal static class PublishedDate
{
    private static readonly string[] Formats =
    [
        "d MMMM yyyy", "d MMM yyyy", "MMMM d, yyyy", "MMM d, yyyy", "MMMM d yyyy", "MMM d yyyy",
        "dddd, d MMMM yyyy", "dddd, MMMM d, yyyy", "yyyy-MM-dd", "yyyy/MM/dd",
    ];

    public static bool TryRead(string text, out DateOnly date)
    {
        text = text.Trim().TrimEnd('.');
        if (DateOnly.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out date))
            return true;
        // ISO date-times keep the calendar date of the offset they were written in.
        if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamp))
        {
            date = DateOnly.FromDateTime(stamp.DateTime);
            return true;
        }
        return false;
    }
}

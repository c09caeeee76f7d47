using System.Text.Json;

namespace Digest.Articles;

/// <summary>An article as a client submits it, with what identifies its story beyond the content.</summary>
public sealed record ArticleSubmission(ParseOutcome Outcome, string? Url = null, string? Source = null);

/// <summary>
/// Reads the JSON form of an article (<c>headline</c>, <c>publishedAt</c>, <c>highlights[]</c>, <c>body</c>, optional
/// <c>url</c>, <c>source</c>, <c>image</c>, <c>imageAlt</c> and <c>topics[]</c>). Every problem names the field and, where the field is present, its line.
/// </summary>
public static class ArticleJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, string> Expected = new(StringComparer.OrdinalIgnoreCase)
    {
        ["headline"] = "a string",
        ["publishedAt"] = "a date string such as \"2026-01-15\"",
        ["highlights"] = "an array of strings",
        ["body"] = "a string, or an array of paragraph strings",
        ["url"] = "a string",
        ["source"] = "a string",
        ["image"] = "a string, the picture's absolute http(s) address",
        ["imageAlt"] = "a string",
        ["topics"] = "an array of strings, e.g. [\"energy\", \"transport\"]",
    };

    public static ArticleSubmission Parse(byte[] json)
    {
        if (ArticleParser.InvalidUtf8(json) is { } invalid)
            return new ArticleSubmission(new ParseOutcome(null, [invalid]));
        Fields? fields;
        try
        {
            fields = JsonSerializer.Deserialize<Fields>(json, Options);
        }
        catch (JsonException error)
        {
            return new ArticleSubmission(ParseOutcome.Fail((int)(error.LineNumber ?? 0) + 1, Describe(error, json)));
        }
        if (fields is null)
            return new ArticleSubmission(ParseOutcome.Fail(1, "expected a JSON object with headline, publishedAt, highlights and body"));

        var lines = PropertyLines(json);
        int LineOf(string field) => lines.GetValueOrDefault(field);
        var problems = new List<ArticleProblem>();

        string headline = fields.Headline?.Trim() ?? "";
        if (headline.Length == 0)
            problems.Add(new ArticleProblem(LineOf("headline"), "headline: required, the article's title"));

        DateOnly published = default;
        if (string.IsNullOrWhiteSpace(fields.PublishedAt))
            problems.Add(new ArticleProblem(LineOf("publishedAt"), "publishedAt: required, e.g. \"2026-01-15\""));
        else if (!PublishedDate.TryRead(fields.PublishedAt, out published))
            problems.Add(new ArticleProblem(LineOf("publishedAt"),
                $"publishedAt: cannot read the date '{fields.PublishedAt.Trim()}'; write it as 2025-08-09, 9 August 2025 or an ISO date-time"));

        var body = ReadBody(fields.Body, LineOf("body"), problems);
        var highlights = (fields.Highlights ?? []).Select(h => h?.Trim() ?? "").Where(h => h.Length > 0).ToList();
        if (highlights.Count == 0 && body.Count == 0 && problems.Count == 0)
            problems.Add(new ArticleProblem(0, "the article has neither highlights nor a body"));

        string? url = fields.Url?.Trim();
        if (!string.IsNullOrEmpty(url) && !IsWebAddress(url))
            problems.Add(new ArticleProblem(LineOf("url"), $"url: '{url}' is not an absolute http(s) address"));

        ArticleImage? image = null;
        if (!string.IsNullOrWhiteSpace(fields.Image))
        {
            image = ArticleImage.From(fields.Image, fields.ImageAlt, baseUri: null, out string? problem);
            if (problem is not null)
                problems.Add(new ArticleProblem(LineOf("image"), $"image: {problem}"));
        }

        foreach (var (field, values) in new (string, IEnumerable<string?>)[]
            { ("headline", [headline]), ("highlights", highlights), ("body", body), ("url", [url]), ("source", [fields.Source]) })
        {
            if (values.Any(v => v?.Contains('\0') == true))
                problems.Add(new ArticleProblem(LineOf(field), $"{field}: {NotPlainText}"));
        }

        var (topics, topicsProblem) = ArticleTopics.Read(fields.Topics ?? [], "topics");
        if (topicsProblem is not null)
            problems.Add(new ArticleProblem(LineOf("topics"), topicsProblem));

        if (problems.Count > 0)
            return new ArticleSubmission(new ParseOutcome(null, problems));
        var content = new ArticleContent(headline, published, highlights, body, [], image) { Topics = topics };
        return new ArticleSubmission(new ParseOutcome(content, []), string.IsNullOrEmpty(url) ? null : url, fields.Source?.Trim());
    }

    /// <summary>
    /// JSON escapes can spell what no text file holds: NUL and half a surrogate pair. The reader refuses the latter;
    /// NUL is refused here (PostgreSQL cannot store it in text), as the text format refuses NUL bytes.
    /// </summary>
    private const string NotPlainText = "contains a NUL character or a broken \\u surrogate escape; send plain text";

    internal static bool IsWebAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>A body is one string with a paragraph per line, or an array of paragraphs.</summary>
    private static List<string> ReadBody(JsonElement? body, int line, List<ArticleProblem> problems)
    {
        var paragraphs = new List<string>();
        switch (body)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.String } text:
                paragraphs.AddRange(text.GetString()!.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                break;
            case { ValueKind: JsonValueKind.Array } array when array.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String):
                paragraphs.AddRange(array.EnumerateArray().Select(p => p.GetString()!.Trim()).Where(p => p.Length > 0));
                break;
            default:
                problems.Add(new ArticleProblem(line, $"body: must be {Expected["body"]}"));
                break;
        }
        return paragraphs;
    }

    private static string Describe(JsonException error, byte[] json)
    {
        // "$.highlights[1]" names the field a value of the wrong type was found in.
        string? field = error.Path?.TrimStart('$', '.').Split('[', '.')[0];
        if (!string.IsNullOrEmpty(field) && HasUnreadableString(json))
            return $"{field}: {NotPlainText}";
        if (!string.IsNullOrEmpty(field) && Expected.TryGetValue(field, out string? expected))
            return $"{field}: must be {expected}";
        return $"not valid JSON at column {error.BytePositionInLine + 1}; send a JSON object, or the article text as text/plain";
    }

    /// <summary>Whether a string in the document cannot become text (a lone surrogate escape such as "\\ud800").</summary>
    private static bool HasUnreadableString(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                    reader.GetString();
            }
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
        catch (JsonException)
        {
            return false; // broken JSON, which the caller reports as such
        }
    }

    /// <summary>The line each top-level property starts on (1-based), so a problem with its value can point there.</summary>
    private static Dictionary<string, int> PropertyLines(byte[] json)
    {
        var lines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                lines.TryAdd(reader.GetString()!, json.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n') + 1);
        }
        return lines;
    }

    private sealed record Fields(string? Headline, string? PublishedAt, string?[]? Highlights, JsonElement? Body, string? Url, string? Source,
        string? Image, string? ImageAlt, string?[]? Topics);
}

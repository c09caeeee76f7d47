using System.Text.Json;

namespace Digest.Articles;

/// <summary>
/// Topics as articles and readers carry them: trimmed, inner spaces folded, lower case (so "Energy" and "energy"
/// are one topic), each at most <see cref="MaxLength"/> characters, at most <see cref="MaxCount"/> per article or
/// reader, no duplicates, in the order given. Stored as a JSON array.
/// </summary>
public static class ArticleTopics
{
    public const int MaxCount = 10, MaxLength = 40;

    /// <summary>
    /// The topics of <paramref name="values"/>, or why they cannot be; the problem starts with
    /// <paramref name="field"/> (the line, the JSON field, the form field). Empty entries ("a, , b") are ignored.
    /// </summary>
    public static (IReadOnlyList<string> Topics, string? Problem) Read(IEnumerable<string?> values, string field)
    {
        var topics = new List<string>();
        foreach (string? value in values)
        {
            string topic = Normalise(value);
            if (topic.Length == 0 || topics.Contains(topic))
                continue;
            if (topic.Length > MaxLength)
                return ([], $"{field}: the topic '{topic[..20]}…' is {topic.Length} characters, over the limit of {MaxLength}");
            if (topic.Any(c => char.IsControl(c) || c == ','))
                return ([], $"{field}: the topic '{topic}' holds a comma or a control character; separate topics with commas");
            topics.Add(topic);
        }
        return topics.Count > MaxCount
            ? ([], $"{field}: {topics.Count} topics, over the limit of {MaxCount}")
            : (topics, null);
    }

    /// <summary>The topics of a comma-separated list ("Energy, Transport").</summary>
    public static (IReadOnlyList<string> Topics, string? Problem) ReadList(string? list, string field) =>
        Read((list ?? "").Split(','), field);

    /// <summary>
    /// The usable topics among what a feed wrote, for input nobody here can correct: values that are not topics
    /// (too long, a control character) are left out, and at most <see cref="MaxCount"/> kept.
    /// </summary>
    public static IReadOnlyList<string> Lenient(IEnumerable<string?> values) =>
        values.Select(Normalise)
            .Where(t => t.Length is > 0 and <= MaxLength && !t.Any(c => char.IsControl(c) || c == ','))
            .Distinct().Take(MaxCount).ToList();

    /// <summary>
    /// The articles for a reader who chose <paramref name="chosen"/>: those on at least one of the topics, in their
    /// order; all of them when the reader chose none. An article without topics is on none of them.
    /// </summary>
    public static IReadOnlyList<Article> For(IReadOnlyList<Article> articles, IReadOnlyList<string> chosen)
    {
        if (chosen.Count == 0)
            return articles;
        var choice = chosen.ToHashSet(StringComparer.Ordinal);
        return articles.Where(a => a.Content.Topics.Any(choice.Contains)).ToList();
    }

    public static string ToJson(IReadOnlyList<string> topics) => JsonSerializer.Serialize(topics);

    /// <summary>Topics stored as JSON; null or empty text is none.</summary>
    public static IReadOnlyList<string> FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];

    private static string Normalise(string? value) =>
        string.Join(' ', (value ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}

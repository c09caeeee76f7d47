namespace Digest.Articles;

/// <summary>A story's content as parsed from any source, before it has an identity in the store.</summary>
public sealed record ArticleContent(
    string Headline,
    DateOnly PublishedOn,
    IReadOnlyList<string> Highlights,
    IReadOnlyList<string> Body,
    IReadOnlyList<string> Analysis,
    ArticleImage? Image = null)
{
    /// <summary>What the story is about (<see cref="ArticleTopics"/>): readers who chose topics get only matching stories.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>
    /// The first real paragraph of the body (section headings are short lines): what a digest shows
    /// when an article has no highlights.
    /// </summary>
    public string Lead => Body.FirstOrDefault(p => p.Length > 80) ?? Body.FirstOrDefault() ?? "";

    /// <summary>A short line without closing punctuation is a section heading in the rewritten text, not a paragraph.</summary>
    public static bool IsHeading(string paragraph) =>
        paragraph.Length <= 80 && paragraph.TrimEnd() is { Length: > 0 } text && !".!?:;…\"”'".Contains(text[^1]);
}

/// <summary>A stored article; <paramref name="Url"/> is the original story's address when its source gave one.</summary>
public sealed record Article(long Id, string Slug, ArticleContent Content, string Source, DateTimeOffset IngestedAt, string? Url = null);

/// <summary>
/// Where an article came from: a label editors see (<c>inbox:file.txt</c>, <c>api</c>, <c>feed:name</c>) and,
/// when the source has them, the story's address and the feed's stable id for it; both identify the story again.
/// </summary>
public sealed record ArticleOrigin(string Source, string? Url = null, string? ExternalKey = null);

/// <summary>One thing wrong with an article, and the line it is on (1-based; 0 when it concerns the whole input).</summary>
public sealed record ArticleProblem(int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Message}" : Message;
}

public sealed record ParseOutcome(ArticleContent? Article, IReadOnlyList<ArticleProblem> Problems)
{
    public static ParseOutcome Fail(int line, string message) => new(null, [new ArticleProblem(line, message)]);
}

using Digest.Articles;
using Digest.Editions;

namespace Digest.Rendering;

/// <summary>An article in digest order, and the heading of the section it opens (null: it continues the one above).</summary>
public sealed record PlacedArticle(Article Article, string? Heading);

/// <summary>
/// Puts a digest's articles into the sections the edition asks for (<see cref="SectionsOptions"/>): the editor's
/// order first, other sections alphabetically, articles without a section last under <c>otherHeading</c>. Within a
/// section articles keep their arrival order. An article on several topics goes to the one the editor ranks first.
/// </summary>
public static class DigestSections
{
    public static IReadOnlyList<PlacedArticle> Arrange(IReadOnlyList<Article> articles, SectionsOptions sections, string otherHeading)
    {
        if (sections.By == SectionBy.None || articles.Count == 0)
            return articles.Select(a => new PlacedArticle(a, null)).ToList();
        var order = sections.Order.Select(s => s.Trim()).ToList();
        int Rank(string name) => order.FindIndex(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0 ? i : int.MaxValue;
        var placed = articles.Select(article => (Article: article, Section: SectionOf(article, sections.By, Rank))).ToList();
        return placed
            .GroupBy(p => p.Section?.ToLowerInvariant())
            .OrderBy(g => g.Key is null ? 1 : 0)
            .ThenBy(g => g.Key is null ? int.MaxValue : Rank(g.Key))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Select((p, i) => new PlacedArticle(p.Article, i > 0 ? null
                : g.Key is null ? otherHeading
                : order.FirstOrDefault(s => string.Equals(s, g.Key, StringComparison.OrdinalIgnoreCase)) ?? p.Section)))
            .ToList();
    }

    private static string? SectionOf(Article article, SectionBy by, Func<string, int> rank) => by switch
    {
        SectionBy.Topic => article.Content.Topics.OrderBy(rank).FirstOrDefault(),
        SectionBy.Source => SourceName(article.Source),
        _ => null,
    };

    /// <summary>"feed:energy-news" → "energy-news"; "inbox:file.txt" → "inbox"; "api" → "api".</summary>
    public static string SourceName(string source) =>
        source.StartsWith("feed:", StringComparison.Ordinal) ? source["feed:".Length..] : source.Split(':')[0];
}

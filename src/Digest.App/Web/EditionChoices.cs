using Digest.Editions;

namespace Digest.App.Web;

/// <summary>The configured editions as checkboxes (name, title), with those ticked.</summary>
public sealed record EditionChoices(IReadOnlyList<(string Name, string Title)> Editions, IReadOnlySet<string> Chosen)
{
    public static EditionChoices From(EditionsOptions editions, IEnumerable<string> chosen) => new(
        editions.Select(pair => (pair.Key.ToLowerInvariant(), new Edition(pair.Key, pair.Value).Title)).ToList(),
        chosen.ToHashSet(StringComparer.OrdinalIgnoreCase));
}

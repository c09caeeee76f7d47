using System.Collections.Concurrent;
using Digest.Articles;
using Digest.Rendering;

namespace Digest.Delivery;

/// <summary>
/// The kinds of copy of one run. A reader's copy carries the run's frozen articles on the topics the reader chose
/// (frozen with the audience: <see cref="DeliveryClaim.Topics"/>), or all of them when the reader chose none; readers
/// whose choices select the same articles share one kind, composed and its body rendered once (<see cref="CopyBodies"/>), so
/// rendering the body grows with the distinct article sets, never with the readers.
/// </summary>
internal sealed class RunCopies(IReadOnlyList<Article> articles, Func<IReadOnlyList<Article>, Task<DigestView>> compose,
    IDigestRenderer renderer)
{
    /// <summary>Article sets by the frozen topics text: a few hundred distinct choices at most, each read once.</summary>
    private readonly ConcurrentDictionary<string, ArticleSet> _sets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<CopyKind>>> _kinds = new(StringComparer.Ordinal);

    /// <summary>The articles for a reader with these frozen topics (JSON; null or empty: everything).</summary>
    public ArticleSet SetFor(string? topics) => _sets.GetOrAdd(topics ?? "", Select);

    /// <summary>The composed digest and the bodies of every copy carrying <paramref name="set"/>.</summary>
    public Task<CopyKind> KindAsync(ArticleSet set) =>
        _kinds.GetOrAdd(set.Key, _ => new Lazy<Task<CopyKind>>(async () =>
        {
            var view = await compose(set.Articles);
            return new CopyKind(view, new CopyBodies(renderer, view));
        })).Value;

    private ArticleSet Select(string topics)
    {
        var chosen = ArticleTopics.FromJson(topics);
        var selected = ArticleTopics.For(articles, chosen);
        // Nothing for this reader: skipped, unless the run has no articles at all (a "no news" digest goes to everyone).
        bool nothing = selected.Count == 0 && articles.Count > 0;
        return new ArticleSet(selected.Count == articles.Count ? "all" : string.Join(',', selected.Select(a => a.Id)), selected,
            nothing ? string.Join(", ", chosen) : null);
    }
}

/// <summary>Articles some readers get; <see cref="NothingFor"/> names the topics of readers for whom the run has nothing.</summary>
internal sealed record ArticleSet(string Key, IReadOnlyList<Article> Articles, string? NothingFor);

/// <summary>One kind of copy: its digest as its readers share it, and the bodies of their copies.</summary>
internal sealed record CopyKind(DigestView View, CopyBodies Bodies);

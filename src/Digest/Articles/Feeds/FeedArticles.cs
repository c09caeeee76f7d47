namespace Digest.Articles.Feeds;

/// <summary>
/// How a feed item becomes an article: title → headline, summary list items or sentences → highlights. An item with
/// only a title (and link) is an article without highlights: the digest shows its headline and link. The item's
/// categories become its topics (those that cannot be a topic are left out: nobody here can correct a feed).
/// </summary>
public static class FeedArticles
{
    /// <summary>The article, or null with the reason it cannot be one.</summary>
    public static (ArticleContent? Content, ArticleOrigin Origin, string? Problem) From(FeedItem item, FeedSource feed, DateOnly today)
    {
        string? link = Absolute(item.Link, feed.Url);
        var origin = new ArticleOrigin($"feed:{feed.Name}", link, ExternalKey(item, feed, link));
        if (item.Title.Length == 0)
            return (null, origin, $"an item{(link is null ? "" : $" ({link})")} has no title");

        var highlights = HtmlText.Highlights(item.Summary ?? item.Content);
        var body = item.Content is null || item.Content == item.Summary ? [] : HtmlText.Paragraphs(item.Content);

        // The calendar date the feed wrote, as the text format keeps it; an undated item is today's news.
        var published = item.Published is { } date ? DateOnly.FromDateTime(date.DateTime) : today;
        var topics = ArticleTopics.Lenient(item.Categories ?? []);
        return (new ArticleContent(item.Title, published, highlights, body, [], item.Image) { Topics = topics }, origin, null);
    }

    /// <summary>
    /// The feed's id for the story: a guid that is itself an address (or a urn/tag id, as Atom requires) is global;
    /// any other guid is only unique within its feed, so it is qualified by the feed's address.
    /// </summary>
    private static string? ExternalKey(FeedItem item, FeedSource feed, string? link)
    {
        if (item.Guid is not { Length: > 0 } guid)
            return link;
        return Uri.TryCreate(guid, UriKind.Absolute, out _) ? guid : $"{feed.Url}#{guid}";
    }

    private static string? Absolute(string? link, string feedUrl) =>
        !string.IsNullOrWhiteSpace(link) && Uri.TryCreate(new Uri(feedUrl), link.Trim(), out var uri) && uri.Scheme is "http" or "https"
            ? uri.ToString()
            : null;
}

namespace Digest.App.Web;

/// <summary>One page of a longer list: which items, and the numbers the page shows about the whole.</summary>
public sealed record Paging<T>(IReadOnlyList<T> Items, int Page, int PageCount, int Total)
{
    public const int PageSize = 50;

    public static Paging<T> Of(IReadOnlyList<T> all, int page)
    {
        int pages = Math.Max(1, (all.Count + PageSize - 1) / PageSize);
        int current = Math.Clamp(page, 1, pages);
        return new(all.Skip((current - 1) * PageSize).Take(PageSize).ToList(), current, pages, all.Count);
    }
}

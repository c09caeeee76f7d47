namespace Digest.App.Web;

/// <summary>What the pager partial needs: where the list is, its filters, and which page of how many.</summary>
public sealed record PagerView(string Path, IReadOnlyDictionary<string, string?> Filters, int Page, int PageCount)
{
    public string Link(int page) =>
        Path + QueryString.Create(Filters.Where(f => !string.IsNullOrEmpty(f.Value)).Append(new("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}

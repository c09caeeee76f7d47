namespace Digest.Rendering;

/// <summary>The "Site" section: how the public side of Digest is addressed in every email.</summary>
public sealed class SiteOptions
{
    public const string SectionName = "Site";

    /// <summary>The address subscribers reach Digest's pages at (links in emails point here).</summary>
    public string PublicUrl { get; set; } = "http://localhost:5080";

    /// <summary>The sender's postal or contact line shown in every footer (bulk-mail rules ask for one).</summary>
    public string SenderLine { get; set; } = "";

    /// <summary>The public address of an article's page, where each digest entry links.</summary>
    public string ArticleUrl(string slug) => $"{PublicUrl.TrimEnd('/')}/articles/{Uri.EscapeDataString(slug)}";
}

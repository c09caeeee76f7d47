namespace Digest.Articles;

/// <summary>The "Inbox" section: the folder articles are dropped into.</summary>
public sealed class InboxOptions
{
    public const string SectionName = "Inbox";

    /// <summary>Folder watched for article files; relative to the content root.</summary>
    public string Path { get; set; } = "data/inbox";

    /// <summary>How often the folder is scanned.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A file is read only once it has not changed for this long, so half-written files are left alone.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Files larger than this are rejected.</summary>
    public long MaxFileBytes { get; set; } = 1024 * 1024;
}

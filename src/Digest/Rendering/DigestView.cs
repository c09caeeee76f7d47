namespace Digest.Rendering;

// View models are public: RazorLight compiles the templates into an assembly of their own.

/// <summary>
/// Everything the digest's body templates show, already composed: templates only lay it out. It is the same for every
/// reader of a run, and holds nothing about any of them: what differs per reader (the greeting, the footer) comes from
/// the partial templates, rendered per copy from a <see cref="RecipientView"/> into the slots of <see cref="Recipient"/>.
/// </summary>
/// <remarks>
/// <c>Articles</c> are shown in full, <c>MoreArticles</c> as links; <c>MoreCount</c> more are only counted, with a
/// link to <c>ArchiveUrl</c> (the run's archive page), so the digest never grows past what mail clients show.
/// </remarks>
public sealed record DigestView(
    DigestLabels Labels,
    string EditionName,
    string EditionTitle,
    string DateLine,
    string Subject,
    string Preheader,
    NoteView? Note,
    IReadOnlyList<ArticleView> Articles,
    IReadOnlyList<ArticleLink> MoreArticles,
    int MoreCount,
    string ArchiveUrl,
    string SenderLine)
{
    /// <summary>Where the reader's greeting and footer go: <c>@Model.Recipient.Greeting</c>, <c>@Model.Recipient.Footer</c>.</summary>
    public RecipientSlots Recipient => RecipientSlots.Instance;
}

/// <summary>
/// What the greeting and footer partial templates show for one reader: their name (empty when they gave none), address,
/// the footer's reason and personal links, and the run's words around them.
/// </summary>
public sealed record RecipientView(
    DigestLabels Labels,
    string EditionTitle,
    string Name,
    string Email,
    string Reason,
    string UnsubscribeUrl,
    string PreferencesUrl,
    string SenderLine);

/// <summary>One reader's digest: the body every reader of the run shares, and this reader's own parts.</summary>
public sealed record DigestCopy(DigestView Digest, RecipientView Recipient);

/// <summary>The editor's note: its Markdown rendered for the HTML part (<see cref="NoteMarkdown"/>), and as written for the text part, where Markdown reads as it is.</summary>
public sealed record NoteView(string Html, string Text);

/// <summary>An entry shown in full; <c>Section</c> is the heading of the section it opens (Editions:NAME:Sections), if it opens one.</summary>
public sealed record ArticleView(string Headline, string DateLine, IReadOnlyList<string> Highlights, string? Lead, string Url,
    ImageView? Image = null, string? Section = null);

/// <summary>An entry's picture for the HTML part: its address and the alt text shown in its place (the headline when the source gave none).</summary>
public sealed record ImageView(string Url, string Alt);

/// <summary>An entry as its partial template gets it: the article and the words around it in the digest's language.</summary>
public sealed record ArticleEntry(ArticleView Article, DigestLabels Labels);

public sealed record ArticleLink(string Headline, string Url);

/// <summary>The two parts of one rendered digest.</summary>
public sealed record RenderedDigest(string Html, string Text);

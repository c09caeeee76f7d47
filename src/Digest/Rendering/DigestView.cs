namespace Digest.Rendering;

// View models are public: RazorLight compiles the templates into an assembly of their own.

/// <summary>Everything the digest templates show, already composed: templates only lay it out.</summary>
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
    string RecipientName,
    NoteView? Note,
    IReadOnlyList<ArticleView> Articles,
    IReadOnlyList<ArticleLink> MoreArticles,
    int MoreCount,
    string ArchiveUrl,
    FooterView Footer);

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

public sealed record FooterView(string Reason, string UnsubscribeUrl, string PreferencesUrl, string SenderLine);

/// <summary>The two parts of one rendered digest.</summary>
public sealed record RenderedDigest(string Html, string Text);

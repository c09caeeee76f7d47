using System.Text;
using Digest.Articles;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Rendering;

/// <summary>
/// Composes what one subscriber's digest shows. Sending and previewing both go through here, so the preview
/// is what is sent.
/// </summary>
public sealed class DigestComposer(IOptions<SiteOptions> site, SubscriberTokens tokens, SubscriberLinks links, IDigestRenderer renderer,
    DigestStrings strings)
{
    /// <summary>Longest headline, highlight and lead shown in a digest; longer ones are cut at a word, the whole text is on the article's page.</summary>
    public const int MaxHeadlineChars = 200, MaxHighlightChars = 300, MaxLeadChars = 400, MaxAltChars = 300;

    /// <summary>
    /// What a run's HTML may weigh before its recipient's own text: Gmail clips a message over about 102 KB, and a
    /// copy adds its recipient's name, address and links (a few hundred bytes) to this.
    /// </summary>
    public const int HtmlBudgetBytes = 96 * 1024;

    public async Task<DigestCopy> ComposeAsync(Edition edition, DateTimeOffset slot, IReadOnlyList<Article> articles, Subscriber recipient,
        string? note = null)
    {
        var run = await ComposeRunAsync(edition, slot, articles, note: note);
        return new DigestCopy(run, ForRecipient(run, edition, recipient));
    }

    /// <summary>
    /// What every subscriber of a run shares (articles, subject, date, preheader), composed once per run; each
    /// copy then only adds its recipient's own parts with <see cref="ForRecipient"/>. Fitted to <see cref="HtmlBudgetBytes"/>
    /// whatever arrived (<see cref="FitAsync"/>). <paramref name="runId"/> (none for a preview) is the archive page
    /// the "and N more" line points at; <paramref name="note"/> is the editor's note (Markdown) the run carries.
    /// </summary>
    public async Task<DigestView> ComposeRunAsync(Edition edition, DateTimeOffset slot, IReadOnlyList<Article> articles, long? runId = null,
        string? note = null)
    {
        var local = TimeZoneInfo.ConvertTime(slot, TimeZoneInfo.FindSystemTimeZoneById(edition.Options.TimeZone));
        var options = edition.Options;
        var labels = strings.For(options.Culture);
        var placed = DigestSections.Arrange(articles, options.Sections, labels.OtherSection);
        articles = placed.Select(p => p.Article).ToList();
        var shown = placed.Take(options.MaxArticles).Select(p => ToView(p.Article, options, labels) with { Section = p.Heading }).ToList();
        var links = articles.Skip(options.MaxArticles).Take(options.MaxLinks).Select(ToLink).ToList();
        var view = new DigestView(
            labels,
            edition.Name,
            edition.Title,
            local.ToString(labels.DatePattern, labels.Culture),
            Subject(edition, local, articles, labels),
            Preheader(articles),
            string.IsNullOrWhiteSpace(note) ? null : new NoteView(NoteMarkdown.ToHtml(note), note.Trim()),
            shown,
            links,
            articles.Count - shown.Count - links.Count,
            runId is { } id ? $"{Root}/archive/{id}" : $"{Root}/archive",
            site.Value.SenderLine);
        return await FitAsync(view);
    }

    /// <summary>
    /// Keeps the HTML within <see cref="HtmlBudgetBytes"/> when the entries are unusually heavy (long texts in a
    /// template that shows more of them, a large MaxArticles): halves the list of links, then the full entries,
    /// until it fits. What is left out is counted in "and N more", never lost: the archive page has every article.
    /// A digest within the budget (the usual case) costs one render. Measured with a reader who has no name, address
    /// or links: what a copy adds to that is in the room left below Gmail's limit.
    /// </summary>
    private async Task<DigestView> FitAsync(DigestView view)
    {
        while (Encoding.UTF8.GetByteCount((await renderer.RenderAsync(view, Nobody(view))).Html) > HtmlBudgetBytes)
        {
            if (view.MoreArticles.Count > 0)
                view = view with { MoreArticles = view.MoreArticles.Take(view.MoreArticles.Count / 2).ToList(), MoreCount = view.MoreCount + view.MoreArticles.Count - view.MoreArticles.Count / 2 };
            else if (view.Articles.Count > 1)
                view = view with { Articles = view.Articles.Take(view.Articles.Count / 2).ToList(), MoreCount = view.MoreCount + view.Articles.Count - view.Articles.Count / 2 };
            else
                break;
        }
        return view;
    }

    /// <summary>What one subscriber's copy of a run's digest shows of them: the greeting, the footer's reason and personal links.</summary>
    public RecipientView ForRecipient(DigestView run, Edition edition, Subscriber recipient) => new(
        run.Labels,
        run.EditionTitle,
        recipient.Name,
        recipient.Email,
        run.Labels.ReasonFor(recipient.Email, edition.Title),
        // Leaving an edition sent to another edition's subscribers leaves that list.
        UnsubscribeUrl(recipient.Id, edition.AudienceList),
        links.PreferencesUrl(recipient.Id),
        run.SenderLine);

    /// <summary>A reader with nothing of their own: no name, no address, no reason or links.</summary>
    private static RecipientView Nobody(DigestView run) => new(run.Labels, run.EditionTitle, "", "", "", "", "", run.SenderLine);

    public string UnsubscribeUrl(long subscriberId, string edition) => $"{Root}/u/{tokens.CreateUnsubscribe(subscriberId, edition)}";

    private string Root => site.Value.PublicUrl.TrimEnd('/');

    private string ArticleUrl(Article article) => site.Value.ArticleUrl(article.Slug);

    private ArticleView ToView(Article article, EditionOptions options, DigestLabels labels)
    {
        string headline = ShortText.Cut(article.Content.Headline, MaxHeadlineChars);
        return new ArticleView(
            headline,
            article.Content.PublishedOn.ToString(labels.ArticleDatePattern, labels.Culture),
            article.Content.Highlights.Take(options.MaxHighlights).Select(h => ShortText.Cut(h, MaxHighlightChars)).ToList(),
            article.Content.Highlights.Count == 0 ? ShortText.Cut(article.Content.Lead, MaxLeadChars) : null,
            ArticleUrl(article),
            options.Images && article.Content.Image is { } image
                ? new ImageView(image.Url, string.IsNullOrWhiteSpace(image.Alt) ? headline : ShortText.Cut(image.Alt, MaxAltChars))
                : null);
    }

    private ArticleLink ToLink(Article article) => new(ShortText.Cut(article.Content.Headline, MaxHeadlineChars), ArticleUrl(article));

    private static string Subject(Edition edition, DateTimeOffset local, IReadOnlyList<Article> articles, DigestLabels labels)
    {
        string top = articles.Count > 0 ? articles[0].Content.Headline : "";
        string subject = edition.Options.Subject
            .Replace("{edition}", edition.Title, StringComparison.OrdinalIgnoreCase)
            .Replace("{date}", local.ToString(labels.SubjectDatePattern, labels.Culture), StringComparison.OrdinalIgnoreCase)
            .Replace("{topHeadline}", top, StringComparison.OrdinalIgnoreCase);
        // A subject is one line: article text never smuggles a header break into it.
        return string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim().TrimEnd(':').Trim();
    }

    private static string Preheader(IReadOnlyList<Article> articles)
    {
        // Inboxes show the preheader next to the subject, about 140 characters of it.
        return ShortText.Cut(string.Join(" · ", articles.SelectMany(a => a.Content.Highlights.Take(1).DefaultIfEmpty(a.Content.Headline)).Take(3)), 140);
    }
}

/// <summary>Text shortened for a digest.</summary>
internal static class ShortText
{
    /// <summary>
    /// <paramref name="text"/> in at most <paramref name="max"/> characters: cut at a word boundary with an
    /// ellipsis (half a word looks broken), or mid-word when the last word boundary is far back.
    /// </summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
            return text;
        int cut = text.LastIndexOf(' ', max - 1);
        return text[..(cut > max * 4 / 7 ? cut : max - 1)].TrimEnd(' ', '·') + "…";
    }
}

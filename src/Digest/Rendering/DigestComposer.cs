using System.Globalization;
using Digest.Articles;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Rendering;

/// <summary>
/// Composes what one subscriber's digest shows. Sending and previewing both go through here, so the preview
/// is what is sent.
/// </summary>
public sealed class DigestComposer(IOptions<SiteOptions> site, SubscriberTokens tokens, SubscriberLinks links)
{
    private static readonly CultureInfo Display = CultureInfo.GetCultureInfo("en-GB");

    public DigestView Compose(Edition edition, DateTimeOffset slot, IReadOnlyList<Article> articles, Subscriber recipient) =>
        ForRecipient(ComposeRun(edition, slot, articles), edition, recipient);

    /// <summary>
    /// What every subscriber of a run shares (articles, subject, date, preheader), composed once per run; each
    /// copy then only adds its recipient with <see cref="ForRecipient"/>.
    /// </summary>
    public DigestView ComposeRun(Edition edition, DateTimeOffset slot, IReadOnlyList<Article> articles)
    {
        var local = TimeZoneInfo.ConvertTime(slot, TimeZoneInfo.FindSystemTimeZoneById(edition.Options.TimeZone));
        var shown = articles.Take(edition.Options.MaxArticles).Select(ToView).ToList();
        var more = articles.Skip(edition.Options.MaxArticles).Select(a => new ArticleLink(a.Content.Headline, ArticleUrl(a))).ToList();
        return new DigestView(
            edition.Name,
            edition.Title,
            local.ToString("dddd, d MMMM yyyy", Display),
            Subject(edition, local, articles),
            Preheader(articles),
            RecipientName: "",
            shown,
            more,
            new FooterView("", "", "", site.Value.SenderLine));
    }

    /// <summary>One subscriber's copy of a run's digest: the greeting and the footer's reason and personal links.</summary>
    public DigestView ForRecipient(DigestView run, Edition edition, Subscriber recipient) => run with
    {
        RecipientName = recipient.Name,
        Footer = run.Footer with
        {
            Reason = $"You receive this because {recipient.Email} subscribed to {edition.Title}.",
            // Leaving an edition sent to another edition's subscribers leaves that list.
            UnsubscribeUrl = UnsubscribeUrl(recipient.Id, edition.AudienceList),
            PreferencesUrl = links.PreferencesUrl(recipient.Id),
        },
    };

    public string UnsubscribeUrl(long subscriberId, string edition) => $"{Root}/u/{tokens.CreateUnsubscribe(subscriberId, edition)}";

    private string Root => site.Value.PublicUrl.TrimEnd('/');

    private string ArticleUrl(Article article) => site.Value.ArticleUrl(article.Slug);

    private ArticleView ToView(Article article) => new(
        article.Content.Headline,
        article.Content.PublishedOn.ToString("d MMMM yyyy", Display),
        article.Content.Highlights,
        article.Content.Highlights.Count == 0 ? article.Content.Lead : null,
        ArticleUrl(article));

    private static string Subject(Edition edition, DateTimeOffset local, IReadOnlyList<Article> articles)
    {
        string top = articles.Count > 0 ? articles[0].Content.Headline : "";
        string subject = edition.Options.Subject
            .Replace("{edition}", edition.Title, StringComparison.OrdinalIgnoreCase)
            .Replace("{date}", local.ToString("d MMM yyyy", Display), StringComparison.OrdinalIgnoreCase)
            .Replace("{topHeadline}", top, StringComparison.OrdinalIgnoreCase);
        // A subject is one line: article text never smuggles a header break into it.
        return string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim().TrimEnd(':').Trim();
    }

    private static string Preheader(IReadOnlyList<Article> articles)
    {
        var text = string.Join(" · ", articles.SelectMany(a => a.Content.Highlights.Take(1).DefaultIfEmpty(a.Content.Headline)).Take(3));
        if (text.Length <= 140)
            return text;
        // Cut at a word boundary: inboxes show the preheader next to the subject, where half a word looks broken.
        int cut = text.LastIndexOf(' ', 139);
        return text[..(cut > 80 ? cut : 139)].TrimEnd(' ', '·') + "…";
    }
}

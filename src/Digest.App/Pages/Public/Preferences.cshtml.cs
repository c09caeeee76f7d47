using Digest.App.Web;
using Digest.Articles;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Public;

/// <summary>A subscriber's own page, reached through the signed link in every email: editions, topics, time zone, pause, leave.</summary>
[RequestSizeLimit(RateLimits.MaxFormBytes)]
public sealed class PreferencesModel(SubscriberLinks links, SubscriberLifecycle lifecycle, SubscriberStore subscribers,
    ArticleStore articles, IOptionsMonitor<EditionsOptions> editions) : PageModel
{
    /// <summary>Topics are offered from this many of the newest articles (and the editions' sections).</summary>
    private const int TopicsFromArticles = 500;

    private const string Gone = "this link is for a subscription that no longer exists";

    [BindProperty] public string[]? Editions { get; set; }
    [BindProperty] public string? Paused { get; set; }
    [BindProperty] public string? Action { get; set; }
    [BindProperty] public string? TimeZone { get; set; }
    [BindProperty] public string[]? Topics { get; set; }

    public SubscriberPreferences? Current { get; private set; }
    public string? Outcome { get; private set; }
    /// <summary>The reader's topics (none: everything).</summary>
    public IReadOnlyList<string> ChosenTopics { get; private set; } = [];
    /// <summary>The topics offered: the reader's own first, then the editions' sections, then those of recent articles.</summary>
    public IReadOnlyList<string> OfferedTopics { get; private set; } = [];

    public EditionChoices Choices => EditionChoices.From(editions.CurrentValue, Current?.Editions ?? (IEnumerable<string>)[]);

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        Response.KeepPrivate();
        if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
            return this.InvalidLink(problem);
        Current = await lifecycle.PreferencesAsync(id, cancellationToken);
        if (Current is null)
            return this.InvalidLink(Gone);
        await ReadTopicsAsync(id, cancellationToken);
        return Page();
    }

    private async Task ReadTopicsAsync(long id, CancellationToken cancellationToken)
    {
        ChosenTopics = await subscribers.TopicsAsync(id, cancellationToken);
        var sections = editions.CurrentValue.Values.Where(e => e.Sections.By == SectionBy.Topic).SelectMany(e => e.Sections.Order);
        OfferedTopics = ArticleTopics.Lenient(ChosenTopics.Concat(sections).Concat(await articles.RecentTopicsAsync(TopicsFromArticles, cancellationToken)));
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        Response.KeepPrivate();
        if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
            return this.InvalidLink(problem);
        var (zone, zoneProblem) = TimeZoneChoices.Read(TimeZone);
        var (topics, topicsProblem) = ArticleTopics.Read(Topics ?? [], "topics");
        if ((zoneProblem ?? topicsProblem) is { } notSaved)
            return await NotSavedAsync(id, notSaved, cancellationToken);
        bool leave = Action == "leave";
        var chosen = leave ? [] : (Editions ?? []).Where(e => editions.CurrentValue.ContainsKey(e)).ToList();
        if (!await subscribers.SetTimeZoneAsync(id, zone, cancellationToken)
            || !await subscribers.SetTopicsAsync(id, topics, cancellationToken)
            || await lifecycle.SaveAsync(id, chosen, paused: Paused is not null, cancellationToken) is not { } saved)
            return this.InvalidLink(Gone);
        Current = saved;
        await ReadTopicsAsync(id, cancellationToken);
        Outcome = saved.Editions.Count == 0 ? "You are unsubscribed from every edition. Choose one below to come back."
            : saved.Paused ? "Saved. Your digests are paused until you resume them here."
            : "Saved. Your changes apply from the next digest.";
        return Page();
    }

    /// <summary>The page as saved before, saying why this change was not saved.</summary>
    private async Task<IActionResult> NotSavedAsync(long id, string problem, CancellationToken cancellationToken)
    {
        Current = await lifecycle.PreferencesAsync(id, cancellationToken);
        if (Current is null)
            return this.InvalidLink(Gone);
        await ReadTopicsAsync(id, cancellationToken);
        Outcome = $"Not saved: {problem}.";
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}

using Digest.App.Web;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Public;

/// <summary>A subscriber's own page, reached through the signed link in every email: editions, time zone, pause, leave.</summary>
[RequestSizeLimit(RateLimits.MaxFormBytes)]
public sealed class PreferencesModel(SubscriberLinks links, SubscriberLifecycle lifecycle, SubscriberStore subscribers,
    IOptionsMonitor<EditionsOptions> editions) : PageModel
{
    private const string Gone = "this link is for a subscription that no longer exists";

    [BindProperty] public string[]? Editions { get; set; }
    [BindProperty] public string? Paused { get; set; }
    [BindProperty] public string? Action { get; set; }
    [BindProperty] public string? TimeZone { get; set; }

    public SubscriberPreferences? Current { get; private set; }
    public string? Outcome { get; private set; }
    public EditionChoices Choices => EditionChoices.From(editions.CurrentValue, Current?.Editions ?? (IEnumerable<string>)[]);

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        Response.KeepPrivate();
        if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
            return this.InvalidLink(problem);
        Current = await lifecycle.PreferencesAsync(id, cancellationToken);
        return Current is null ? this.InvalidLink(Gone) : Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        Response.KeepPrivate();
        if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
            return this.InvalidLink(problem);
        var (zone, zoneProblem) = TimeZoneChoices.Read(TimeZone);
        if (zoneProblem is not null)
        {
            Current = await lifecycle.PreferencesAsync(id, cancellationToken);
            if (Current is null)
                return this.InvalidLink(Gone);
            Outcome = $"Not saved: {zoneProblem}.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        bool leave = Action == "leave";
        var chosen = leave ? [] : (Editions ?? []).Where(e => editions.CurrentValue.ContainsKey(e)).ToList();
        if (!await subscribers.SetTimeZoneAsync(id, zone, cancellationToken)
            || await lifecycle.SaveAsync(id, chosen, paused: Paused is not null, cancellationToken) is not { } saved)
            return this.InvalidLink(Gone);
        Current = saved;
        Outcome = saved.Editions.Count == 0 ? "You are unsubscribed from every edition. Choose one below to come back."
            : saved.Paused ? "Saved. Your digests are paused until you resume them here."
            : "Saved. Your changes apply from the next digest.";
        return Page();
    }
}

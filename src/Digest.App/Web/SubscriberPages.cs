using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

/// <summary>
/// The public pages of a subscriber's life: sign up (form and API), confirm the address, and change preferences
/// through the signed link in their emails. No sign-in: the signed link is the proof.
/// </summary>
internal static class SubscriberPages
{
    private const string Accepted = "If the address can receive email, a confirmation link is on its way to it. Open it to start receiving the digest.";

    /// <summary>A preferences form post; a field left out of the form (an unticked box) stays null.</summary>
    internal sealed record PreferencesForm
    {
        public string[]? Editions { get; init; }
        public string? Paused { get; init; }
        public string? Action { get; init; }
        public string? TimeZone { get; init; }
    }

    /// <summary>The IANA zones this machine knows, for the preferences page's suggestions.</summary>
    private static readonly Lazy<string> ZoneChoices = new(() =>
        string.Concat(TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/')).Order(StringComparer.Ordinal)
            .Select(id => $"<option value=\"{Page.E(id)}\">")));

    public static void MapSubscriberPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/subscribe", (HttpContext context, IOptionsMonitor<EditionsOptions> editions) =>
            SignUpForm(context, editions.CurrentValue, null, null, StatusCodes.Status200OK));

        app.MapPost("/subscribe", async (HttpContext context, [FromForm] SignUpRequest form, IOptionsMonitor<EditionsOptions> editions,
            SignUpService signUp, CancellationToken cancellationToken) =>
        {
            var (request, problems) = form.Validate(editions.CurrentValue);
            if (request is null)
                return SignUpForm(context, editions.CurrentValue, form, problems.Values.SelectMany(p => p), StatusCodes.Status400BadRequest);
            if (!await signUp.SignUpAsync(request, cancellationToken))
                return MailDown();
            return Page.Html("Check your inbox", $"<h1>Check your inbox</h1><p>{Page.E(Accepted)}</p>");
        });

        app.MapPost("/api/subscribers", async (SignUpRequest body, IOptionsMonitor<EditionsOptions> editions, SignUpService signUp,
            CancellationToken cancellationToken) =>
        {
            var (request, problems) = body.Validate(editions.CurrentValue);
            if (request is null)
                return Results.ValidationProblem(problems, detail: string.Join("; ", problems.Values.SelectMany(p => p)));
            if (!await signUp.SignUpAsync(request, cancellationToken))
                return Results.Problem("The confirmation email could not be sent just now; try again in a few minutes.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            return Results.Accepted(value: new { message = Accepted });
        });

        // GET only asks: mail scanners open links, and must not confirm anybody.
        app.MapGet("/confirm/{token}", (HttpContext context, string token, SubscriberLinks links) =>
            links.Read(token, SubscriberLinks.Confirm, out string? problem) is null
                ? Page.InvalidLink(problem)
                : Private(context, Page.Html("Confirm your subscription", $"""
                    <h1>Confirm your subscription</h1>
                    <form method="post" action="/confirm/{Page.E(token)}">{Page.AntiforgeryField(context)}
                    <button type="submit" id="confirm">Yes, send me the digest</button></form>
                    """)));

        app.MapPost("/confirm/{token}", async (string token, SubscriberLinks links, SubscriberLifecycle lifecycle, CancellationToken cancellationToken) =>
        {
            if (links.Read(token, SubscriberLinks.Confirm, out string? problem) is not { } id)
                return Page.InvalidLink(problem);
            var subscriber = await lifecycle.ConfirmAsync(id, cancellationToken);
            if (subscriber is null)
                return Page.InvalidLink("this link is for a subscription that no longer exists");
            return Page.Html("Subscribed", $"""
                <h1>You are subscribed</h1>
                <p>The digest will come to {Page.E(subscriber.Email)}.</p>
                <p><a href="{Page.E(links.PreferencesUrl(subscriber.Id))}">Choose your editions or pause</a> at any time.</p>
                """);
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());

        app.MapGet("/preferences/{token}", async (HttpContext context, string token, SubscriberLinks links, SubscriberLifecycle lifecycle,
            IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
                return Page.InvalidLink(problem);
            var preferences = await lifecycle.PreferencesAsync(id, cancellationToken);
            return preferences is null
                ? Page.InvalidLink("this link is for a subscription that no longer exists")
                : PreferencesPage(context, token, preferences, editions.CurrentValue, null);
        });

        app.MapPost("/preferences/{token}", async (HttpContext context, string token, [FromForm] PreferencesForm form, SubscriberLinks links,
            SubscriberLifecycle lifecycle, SubscriberStore subscribers, IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            if (links.Read(token, SubscriberLinks.Preferences, out string? problem) is not { } id)
                return Page.InvalidLink(problem);
            string? zone = string.IsNullOrWhiteSpace(form.TimeZone) ? null : form.TimeZone.Trim();
            if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                var current = await lifecycle.PreferencesAsync(id, cancellationToken);
                return current is null
                    ? Page.InvalidLink("this link is for a subscription that no longer exists")
                    : PreferencesPage(context, token, current, editions.CurrentValue,
                        $"Not saved: time zone '{zone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York).", StatusCodes.Status400BadRequest);
            }
            bool leave = form.Action == "leave";
            var chosen = leave ? [] : (form.Editions ?? []).Where(e => editions.CurrentValue.ContainsKey(e)).ToList();
            if (!await subscribers.SetTimeZoneAsync(id, zone, cancellationToken)
                || await lifecycle.SaveAsync(id, chosen, paused: form.Paused is not null, cancellationToken) is not { } saved)
                return Page.InvalidLink("this link is for a subscription that no longer exists");
            string outcome = saved.Editions.Count == 0 ? "You are unsubscribed from every edition. Choose one below to come back."
                : saved.Paused ? "Saved. Your digests are paused until you resume them here."
                : "Saved. Your changes apply from the next digest.";
            return PreferencesPage(context, token, saved, editions.CurrentValue, outcome);
        });
    }

    /// <summary>A page reached through a personal link: not cached, not indexed, not passed on as a referrer.</summary>
    private static IResult Private(HttpContext context, IResult page)
    {
        UnsubscribeEndpoints.KeepPrivate(context.Response);
        return page;
    }

    private static IResult MailDown() => Page.Html("Try again later",
        "<h1>Try again later</h1><p>The confirmation email could not be sent just now; try again in a few minutes.</p>",
        StatusCodes.Status503ServiceUnavailable);

    private static string EditionChoices(EditionsOptions editions, Func<string, bool> isChecked) => string.Concat(editions.Select(pair =>
    {
        string name = pair.Key.ToLowerInvariant();
        return $"""<p><label><input type="checkbox" name="editions" value="{Page.E(name)}"{(isChecked(name) ? " checked" : "")}> {Page.E(new Edition(name, pair.Value).Title)}</label></p>""";
    }));

    private static IResult SignUpForm(HttpContext context, EditionsOptions editions, SignUpRequest? typed, IEnumerable<string>? problems, int status)
    {
        string errors = problems is null ? "" : $"""<ul class="error" role="alert">{string.Concat(problems.Select(p => $"<li>{Page.E(p)}</li>"))}</ul>""";
        var chosen = typed?.Editions ?? [editions.Keys.FirstOrDefault()?.ToLowerInvariant() ?? ""];
        return Page.Html("Subscribe", $"""
            <h1>Subscribe</h1>
            {errors}
            <form method="post" action="/subscribe">
            {Page.AntiforgeryField(context)}
            <p><label>Your name<br><input name="name" maxlength="{SignUpRequest.MaxNameLength}" value="{Page.E(typed?.Name)}"></label></p>
            <p><label>Email address<br><input name="email" type="email" required value="{Page.E(typed?.Email)}"></label></p>
            <fieldset><legend>Editions</legend>{EditionChoices(editions, chosen.Contains)}</fieldset>
            <p><button type="submit" id="subscribe">Subscribe</button></p>
            </form>
            <p class="muted">We send one email to confirm the address; nothing else until you confirm.</p>
            """, status);
    }

    private static IResult PreferencesPage(HttpContext context, string token, SubscriberPreferences preferences, EditionsOptions editions, string? outcome,
        int status = StatusCodes.Status200OK) =>
        Private(context, Page.Html("Your preferences", $"""
            <h1>Your preferences</h1>
            {(outcome is null ? "" : $"""<p role="status" id="outcome">{Page.E(outcome)}</p>""")}
            <p>For {Page.E(preferences.Subscriber.Email)}.</p>
            <form method="post" action="/preferences/{Page.E(token)}">
            {Page.AntiforgeryField(context)}
            <fieldset><legend>Editions you receive</legend>{EditionChoices(editions, preferences.Editions.Contains)}</fieldset>
            <p><label>Your time zone (empty: each edition's own)<br><input name="timeZone" list="zones" value="{Page.E(preferences.TimeZone)}" placeholder="e.g. Europe/Berlin"></label></p>
            <datalist id="zones">{ZoneChoices.Value}</datalist>
            <p><label><input type="checkbox" name="paused" value="on"{(preferences.Paused ? " checked" : "")}> Pause all digests for now</label></p>
            <p><button type="submit" name="action" value="save" id="save">Save</button>
               <button type="submit" name="action" value="leave" id="leave">Unsubscribe from everything</button></p>
            </form>
            """, status));
}

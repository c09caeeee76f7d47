using Digest.App.Web;
using Digest.Editions;
using Digest.Feedback;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Editor;

/// <summary>One subscriber for editors: name, editions, time zone; resend the confirmation; unsubscribe; delete for good.</summary>
public sealed class SubscriberModel(SubscriberLifecycle lifecycle, SubscriberStore subscribers, PersonalData personalData, FeedbackFigures feedback, SignUpService signUp,
    IOptionsMonitor<EditionsOptions> editions, ILogger<SubscriberModel> logger) : PageModel
{
    public SubscriberPreferences? Current { get; private set; }
    public string? Outcome { get; private set; }

    /// <summary>This address's bounces, complaints and emailed unsubscribes, newest first, with the provider's reason.</summary>
    public IReadOnlyList<FeedbackEvent> Feedback { get; private set; } = [];

    /// <summary>An editor never confirms an address for its owner: editions are chosen here only once it is confirmed.</summary>
    public bool CanChooseEditions => Current?.Subscriber.Status is SubscriberStatus.Confirmed or SubscriberStatus.Paused;

    public EditionChoices Choices => EditionChoices.From(editions.CurrentValue, Current?.Editions ?? (IEnumerable<string>)[]);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : Missing(id);

    public async Task<IActionResult> OnPostSaveAsync(long id, string? name, [FromForm(Name = "editions")] string[]? picked, string? timeZone, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return Missing(id);
        string trimmed = (name ?? "").Trim();
        var (zone, zoneProblem) = TimeZoneChoices.Read(timeZone);
        string? problem = SignUpRequest.NameProblem(trimmed) ?? zoneProblem;
        if (problem is not null)
            return Show(StatusCodes.Status400BadRequest, $"Not saved: {problem}.");
        await subscribers.SetNameAsync(id, trimmed, cancellationToken);
        await subscribers.SetTimeZoneAsync(id, zone, cancellationToken);
        if (CanChooseEditions)
        {
            var chosen = (picked ?? []).Where(editions.CurrentValue.ContainsKey).ToList();
            await lifecycle.SaveAsync(id, chosen, paused: Current!.Paused, cancellationToken);
        }
        logger.LogInformation("{Editor} changed subscriber {SubscriberId}", User.Identity?.Name, id);
        await LoadAsync(id, cancellationToken);
        return Show(StatusCodes.Status200OK, "Saved.");
    }

    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return Missing(id);
        if (Current!.Subscriber.Status != SubscriberStatus.Pending)
            return Show(StatusCodes.Status400BadRequest, "This address is already confirmed.");
        var outcome = await signUp.SendConfirmationAsync(Current.Subscriber, await lifecycle.PendingEditionsAsync(id, cancellationToken), cancellationToken);
        return outcome switch
        {
            ConfirmationOutcome.Sent => Show(StatusCodes.Status200OK, $"A new confirmation link went to {Current.Subscriber.Email}."),
            ConfirmationOutcome.SentRecently => Show(StatusCodes.Status200OK,
                $"Not sent: a confirmation email went to this address less than {SignUpService.ResendAfter.TotalMinutes:0} minutes ago."),
            _ => Show(StatusCodes.Status502BadGateway, "Not sent: the mail server did not take it; the error is in the log."),
        };
    }

    public async Task<IActionResult> OnPostUnsubscribeAsync(long id, CancellationToken cancellationToken)
    {
        if (await lifecycle.SaveAsync(id, [], paused: false, cancellationToken) is null)
            return Missing(id);
        await LoadAsync(id, cancellationToken);
        return Show(StatusCodes.Status200OK, "Unsubscribed from every edition.");
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, string? confirmed, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return Missing(id);
        if (confirmed != "yes")
            return Show(StatusCodes.Status400BadRequest, "Nothing was deleted: tick the box to confirm.");
        await personalData.EraseAsync(id, $"editor {User.Identity?.Name}", cancellationToken);
        return LocalRedirect("/subscribers");
    }

    private async Task<bool> LoadAsync(long id, CancellationToken cancellationToken)
    {
        if ((Current = await lifecycle.PreferencesAsync(id, cancellationToken)) is null)
            return false;
        Feedback = await feedback.ForSubscriberAsync(id, cancellationToken: cancellationToken);
        return true;
    }

    private PageResult Show(int status, string outcome)
    {
        Outcome = outcome;
        Response.StatusCode = status;
        return Page();
    }

    private PartialViewResult Missing(long id) => this.Problem(StatusCodes.Status404NotFound, "No such subscriber", $"There is no subscriber {id}.");
}

using System.Security.Claims;
using Digest.App.Web;
using Digest.Delivery;
using Digest.Editions;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Editor;

/// <summary>
/// The editors' preview: the next digest of any edition for a chosen subscriber, as HTML at desktop and phone widths
/// and as text, and "send a test to me" through the configured transport. With <c>at</c>, what one of the edition's
/// coming slots would send if it ran now.
/// </summary>
public sealed class PreviewModel(SubscriberDirectory directory, IOptionsMonitor<EditionsOptions> editions, TestDigestSender sender,
    TimeProvider time, ILogger<PreviewModel> logger) : PageModel
{
    private const int Subscribers = 200;

    public string Edition { get; private set; } = "";
    public long? Subscriber { get; private set; }
    /// <summary>The coming slot previewed (<see cref="EditionSchedule.ToSlotText"/>); null: the digest as it would go now.</summary>
    public string? At { get; private set; }
    /// <summary>The edition's next slots: the value <c>at</c> takes, and how it reads.</summary>
    public IReadOnlyList<(string At, string Shown)> Slots { get; private set; } = [];

    /// <summary>The query the preview frames share: the chosen subscriber and slot.</summary>
    public string FrameQuery => QueryString.Create([
        .. Subscriber is { } id ? [new KeyValuePair<string, string?>("subscriber", id.ToString(System.Globalization.CultureInfo.InvariantCulture))] : Array.Empty<KeyValuePair<string, string?>>(),
        .. At is { } at ? [new KeyValuePair<string, string?>("at", at)] : Array.Empty<KeyValuePair<string, string?>>()]).ToString();
    public string? To { get; private set; }
    public string? Outcome { get; private set; }
    public IReadOnlyList<SubscriberListing> Audience { get; private set; } = [];
    public IEnumerable<(string Name, string Title)> Editions =>
        editions.CurrentValue.Select(e => (e.Key.ToLowerInvariant(), new Edition(e.Key, e.Value).Title));

    public async Task<IActionResult> OnGetAsync(string? edition, long? subscriber, string? at, CancellationToken cancellationToken)
    {
        if (!Choose(edition))
            return UnknownEdition(StatusCodes.Status404NotFound);
        Subscriber = subscriber;
        To = User.FindFirstValue(ClaimTypes.Email);
        Audience = await directory.SearchAsync(new(Edition: Edition), Subscribers, cancellationToken);
        var schedule = new EditionSchedule(editions.CurrentValue[Edition]);
        var now = time.GetUtcNow();
        Slots = schedule.Next(now, 5).Select(slot => (schedule.ToSlotText(slot), schedule.NextShown(slot.AddMinutes(-1), 1)[0])).ToList();
        if (string.IsNullOrEmpty(at))
            return Page();
        try
        {
            At = schedule.ToSlotText(DigestPreview.SlotFor(editions.CurrentValue.Get(Edition), at, now));
        }
        catch (PreviewSlotException error)
        {
            return Show(StatusCodes.Status400BadRequest, error.Message);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? edition, string? to, CancellationToken cancellationToken)
    {
        if (!Choose(edition))
            return UnknownEdition(StatusCodes.Status400BadRequest);
        Audience = await directory.SearchAsync(new(Edition: Edition), Subscribers, cancellationToken);
        To = to;
        if (EmailAddress.Normalise(to, out string? problem) is not { } address)
            return Show(StatusCodes.Status400BadRequest, $"Test not sent: {problem}.");
        try
        {
            await sender.SendAsync(Edition, address, User.Identity?.Name ?? "", cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Test of {Edition} to {Address} failed", Edition, address);
            return Show(StatusCodes.Status502BadGateway, $"Test not sent: {error.Message}");
        }
        return Show(StatusCodes.Status200OK, $"Test sent to {address}.");
    }

    private bool Choose(string? edition)
    {
        Edition = (edition ?? editions.CurrentValue.Keys.FirstOrDefault() ?? "").ToLowerInvariant();
        return editions.CurrentValue.ContainsKey(Edition);
    }

    private PartialViewResult UnknownEdition(int status) => this.Problem(status, "No such edition",
        $"There is no edition '{Echo.Short(Edition)}'; editions are {string.Join(", ", editions.CurrentValue.Keys)}.");

    private PageResult Show(int status, string outcome)
    {
        Outcome = outcome;
        Response.StatusCode = status;
        return Page();
    }
}

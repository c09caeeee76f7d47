using Digest.App.Web;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Public;

/// <summary>
/// The link in the confirmation email. Opening it only asks (mail scanners open links); the button confirms, and
/// like every post it needs the page's antiforgery token, so no other site can confirm an address.
/// </summary>
[RequestSizeLimit(RateLimits.MaxFormBytes)]
public sealed class ConfirmModel(SubscriberLinks links, SubscriberLifecycle lifecycle) : PageModel
{
    public Subscriber? Subscriber { get; private set; }
    public string? PreferencesUrl { get; private set; }

    public IActionResult OnGet(string token)
    {
        Response.KeepPrivate();
        return links.Read(token, SubscriberLinks.Confirm, out string? problem) is null ? this.InvalidLink(problem) : Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        Response.KeepPrivate();
        if (links.Read(token, SubscriberLinks.Confirm, out string? problem) is not { } id)
            return this.InvalidLink(problem);
        Subscriber = await lifecycle.ConfirmAsync(id, cancellationToken);
        if (Subscriber is null)
            return this.InvalidLink("this link is for a subscription that no longer exists");
        PreferencesUrl = links.PreferencesUrl(Subscriber.Id);
        return Page();
    }
}

using Digest.App.Web;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Public;

/// <summary>
/// The unsubscribe link of every email. GET only asks (link scanners follow GETs and must not unsubscribe anyone);
/// POST with <c>List-Unsubscribe=One-Click</c> unsubscribes at once. Mail providers send that POST (RFC 8058) with no
/// cookie and follow no redirect, so this one page takes no antiforgery token: the signed token in its address is
/// the proof, and the answer is always the page itself.
/// </summary>
[IgnoreAntiforgeryToken]
[RequestSizeLimit(RateLimits.MaxFormBytes)]
public sealed class UnsubscribeModel(SubscriberTokens tokens, SubscriberStore subscribers, IOptionsMonitor<EditionsOptions> editions) : PageModel
{
    /// <summary>The form field and value a one-click POST carries (RFC 8058 §3.2); the confirmation page sends the same.</summary>
    public const string OneClickField = "List-Unsubscribe";
    public const string OneClickValue = "One-Click";

    public string EditionTitle { get; private set; } = "";
    public string Token { get; private set; } = "";
    public bool Done { get; private set; }

    public IActionResult OnGet(string token)
    {
        Response.KeepPrivate();
        if (tokens.Read(token, SubscriberTokens.Unsubscribe, out string? problem) is not { } claim)
            return this.InvalidLink(problem);
        EditionTitle = Title(claim.Edition);
        Token = token;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        Response.KeepPrivate();
        if (tokens.Read(token, SubscriberTokens.Unsubscribe, out string? problem) is not { } claim)
            return this.InvalidLink(problem);
        if (!await IsOneClickAsync(cancellationToken))
            return this.Problem(StatusCodes.Status400BadRequest, "Nothing was changed",
                $"An unsubscribe request must carry the form field {OneClickField}={OneClickValue}; open this address in a browser to confirm there.");
        // Answered the same whether or not the subscription was still active: a repeated click is not an error.
        await subscribers.UnsubscribeAsync(claim.SubscriberId, claim.Edition, cancellationToken);
        EditionTitle = Title(claim.Edition);
        Done = true;
        return Page();
    }

    private async Task<bool> IsOneClickAsync(CancellationToken cancellationToken)
    {
        if (!Request.HasFormContentType)
            return false;
        try
        {
            var form = await Request.ReadFormAsync(cancellationToken);
            return form[OneClickField] == OneClickValue;
        }
        catch (InvalidDataException)
        {
            return false; // a malformed or oversized form body
        }
    }

    private string Title(string edition) =>
        editions.CurrentValue.TryGetValue(edition, out var options) ? new Edition(edition, options).Title : edition;
}

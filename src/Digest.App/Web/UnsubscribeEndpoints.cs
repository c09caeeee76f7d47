using Digest.Editions;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

/// <summary>
/// The unsubscribe link of every email. GET only asks (link scanners follow GETs and must not unsubscribe
/// anyone); POST with <c>List-Unsubscribe=One-Click</c> unsubscribes at once, with no cookie, sign-in or
/// redirect, as RFC 8058 one-click requires.
/// </summary>
internal static class UnsubscribeEndpoints
{
    /// <summary>The form field and value a one-click POST carries (RFC 8058 §3.2); the confirmation page sends the same.</summary>
    private const string OneClickField = "List-Unsubscribe";
    private const string OneClickValue = "One-Click";

    public static void MapUnsubscribe(this WebApplication app)
    {
        var link = app.MapGroup("/u/{token}").AddEndpointFilter(async (context, next) =>
        {
            KeepPrivate(context.HttpContext.Response);
            return await next(context);
        });

        link.MapGet("", (string token, SubscriberTokens tokens, IOptionsMonitor<EditionsOptions> editions) =>
        {
            var claim = tokens.Read(token, SubscriberTokens.Unsubscribe, out string? problem);
            if (claim is null)
                return Invalid(problem);
            return Page.Html("Unsubscribe", $"""
                <h1>Unsubscribe</h1>
                <p>Stop receiving <strong>{Page.E(Title(editions, claim.Edition))}</strong>?</p>
                <form method="post" action="/u/{Page.E(token)}">
                <input type="hidden" name="{OneClickField}" value="{OneClickValue}">
                <button type="submit">Unsubscribe</button>
                </form>
                """);
        });

        link.MapPost("", async (string token, HttpRequest request, SubscriberTokens tokens, SubscriberStore subscribers,
            IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            var claim = tokens.Read(token, SubscriberTokens.Unsubscribe, out string? problem);
            if (claim is null)
                return Invalid(problem);
            if (!await IsOneClickAsync(request, cancellationToken))
                return Page.Html("Not unsubscribed", $"""
                    <h1>Nothing was changed</h1>
                    <p>An unsubscribe request must carry the form field <code>{OneClickField}={OneClickValue}</code>.
                    <a href="/u/{Page.E(token)}">Open the unsubscribe page</a> to confirm in your browser.</p>
                    """, StatusCodes.Status400BadRequest);
            // Answered the same whether or not the subscription was still active: a repeated click is not an error.
            await subscribers.UnsubscribeAsync(claim.SubscriberId, claim.Edition, cancellationToken);
            return Page.Html("Unsubscribed", $"""
                <h1>You are unsubscribed</h1>
                <p>You will not receive <strong>{Page.E(Title(editions, claim.Edition))}</strong> any more.</p>
                """);
        }).DisableAntiforgery();
    }

    private static async Task<bool> IsOneClickAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
            return false;
        try
        {
            var form = await request.ReadFormAsync(cancellationToken);
            return form[OneClickField] == OneClickValue;
        }
        catch (InvalidDataException)
        {
            return false; // a malformed or oversized form body
        }
    }

    /// <summary>These pages carry a personal token: never cached, never indexed, never passed on as a referrer.</summary>
    internal static void KeepPrivate(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Robots-Tag"] = "noindex";
    }

    private static string Title(IOptionsMonitor<EditionsOptions> editions, string edition) =>
        editions.CurrentValue.TryGetValue(edition, out var options) ? new Edition(edition, options).Title : edition;

    private static IResult Invalid(string? problem) => Page.InvalidLink(problem);
}

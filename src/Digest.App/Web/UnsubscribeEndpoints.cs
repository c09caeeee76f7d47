using Digest.Subscribers;

namespace Digest.App.Web;

/// <summary>
/// The unsubscribe link of every email. GET only asks (link scanners follow GETs and must not unsubscribe
/// anyone); POST unsubscribes at once, with no cookie, sign-in or redirect, as RFC 8058 one-click requires.
/// </summary>
internal static class UnsubscribeEndpoints
{
    public static void MapUnsubscribe(this WebApplication app)
    {
        app.MapGet("/u/{token}", (string token, SubscriberTokens tokens) =>
        {
            var claim = tokens.Read(token, SubscriberTokens.Unsubscribe, out string? problem);
            if (claim is null)
                return Invalid(problem);
            return Page.Html("Unsubscribe", $"""
                <h1>Unsubscribe</h1>
                <p>Stop receiving the <strong>{Page.E(claim.Edition)}</strong> edition?</p>
                <form method="post" action="/u/{Page.E(token)}">
                <input type="hidden" name="List-Unsubscribe" value="One-Click">
                <button type="submit">Unsubscribe</button>
                </form>
                """);
        });

        app.MapPost("/u/{token}", async (string token, SubscriberTokens tokens, SubscriberStore subscribers, CancellationToken cancellationToken) =>
        {
            var claim = tokens.Read(token, SubscriberTokens.Unsubscribe, out string? problem);
            if (claim is null)
                return Invalid(problem);
            await subscribers.UnsubscribeAsync(claim.SubscriberId, claim.Edition, cancellationToken);
            return Page.Html("Unsubscribed", $"""
                <h1>You are unsubscribed</h1>
                <p>You will not receive the <strong>{Page.E(claim.Edition)}</strong> edition any more.</p>
                """);
        }).DisableAntiforgery();
    }

    private static IResult Invalid(string? problem) => Page.InvalidLink(problem);
}

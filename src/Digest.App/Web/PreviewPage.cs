using System.Security.Claims;
using Digest.Delivery;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

/// <summary>
/// The editors' preview: the next digest of any edition for a chosen subscriber, as HTML at desktop and phone widths
/// and as text, and "send a test to me" through the configured transport.
/// </summary>
internal static class PreviewPage
{
    private const int Subscribers = 200;

    private const string Style = """
        <style>
          body { max-width: 80rem; } .frames { display: flex; gap: 1.5rem; align-items: flex-start; flex-wrap: wrap; }
          iframe { border: 1px solid #d1d5db; background: #fff; height: 70vh; } figure { margin: 0; }
        </style>
        """;

    internal sealed record TestForm
    {
        public string? Edition { get; init; }
        public string? To { get; init; }
    }

    public static void MapPreviewPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/preview", async (HttpContext context, string? edition, long? subscriber, SubscriberDirectory directory,
            IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            string name = (edition ?? editions.CurrentValue.Keys.FirstOrDefault() ?? "").ToLowerInvariant();
            if (!editions.CurrentValue.ContainsKey(name))
                return Page.Html("No such edition", $"<h1>No such edition</h1><p>There is no edition '{Page.E(name)}'; editions are {Page.E(string.Join(", ", editions.CurrentValue.Keys))}.</p>",
                    StatusCodes.Status404NotFound);
            var audience = await directory.SearchAsync(new(Edition: name), Subscribers, cancellationToken);
            return Page.Html("Preview", PreviewBody(context, name, subscriber, editions.CurrentValue, audience, null));
        });

        app.MapPost("/preview/test", async (HttpContext context, [FromForm] TestForm form, TestDigestSender sender, SubscriberDirectory directory,
            IOptionsMonitor<EditionsOptions> editions, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            string name = (form.Edition ?? "").ToLowerInvariant();
            if (!editions.CurrentValue.ContainsKey(name))
                return Page.Html("No such edition", $"<h1>No such edition</h1><p>There is no edition '{Page.E(name)}'.</p>", StatusCodes.Status400BadRequest);
            var audience = await directory.SearchAsync(new(Edition: name), Subscribers, cancellationToken);
            string? to = EmailAddress.Normalise(form.To, out string? problem);
            if (to is null)
                return Page.Html("Preview", PreviewBody(context, name, null, editions.CurrentValue, audience, $"Test not sent: {problem}."), StatusCodes.Status400BadRequest);
            try
            {
                await sender.SendAsync(name, to, context.User.Identity?.Name ?? "", cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                loggers.CreateLogger(typeof(PreviewPage)).LogError(error, "Test of {Edition} to {Address} failed", name, to);
                return Page.Html("Preview", PreviewBody(context, name, null, editions.CurrentValue, audience, $"Test not sent: {error.Message}"),
                    StatusCodes.Status502BadGateway);
            }
            return Page.Html("Preview", PreviewBody(context, name, null, editions.CurrentValue, audience, $"Test sent to {to}."));
        });
    }

    private static string PreviewBody(HttpContext context, string edition, long? subscriber, EditionsOptions editions,
        IReadOnlyList<SubscriberListing> audience, string? outcome)
    {
        string query = subscriber is { } id ? $"?subscriber={id}" : "";
        string source = $"/preview/{Uri.EscapeDataString(edition)}";
        string me = context.User.FindFirstValue(ClaimTypes.Email) ?? "";
        string editionOptions = string.Concat(editions.Select(e =>
            $"""<option value="{Page.E(e.Key.ToLowerInvariant())}"{(e.Key.Equals(edition, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{Page.E(new Edition(e.Key, e.Value).Title)}</option>"""));
        string subscriberOptions = string.Concat(audience.Select(l =>
            $"""<option value="{l.Subscriber.Id}"{(l.Subscriber.Id == subscriber ? " selected" : "")}>{Page.E(l.Subscriber.Email)}</option>"""));
        return $"""
            {Style}
            {Access.SignInPages.SignOutForm(context)}
            <h1>Preview</h1>
            {(outcome is null ? "" : $"""<p role="status" id="outcome">{Page.E(outcome)}</p>""")}
            <form method="get" action="/preview">
            <label>Edition <select name="edition">{editionOptions}</select></label>
            <label>As received by <select name="subscriber"><option value="">the first subscriber</option>{subscriberOptions}</select></label>
            <button type="submit">Show</button>
            </form>
            <form method="post" action="/preview/test">
            {Page.AntiforgeryField(context)}
            <input type="hidden" name="edition" value="{Page.E(edition)}">
            <label>Send a test to <input name="to" type="email" required value="{Page.E(me)}"></label>
            <button type="submit" id="send-test">Send a test to me</button>
            </form>
            <div class="frames">
            <figure><figcaption>Desktop (700 px)</figcaption><iframe id="desktop" title="Desktop preview" width="700" src="{source}{query}"></iframe></figure>
            <figure><figcaption>Phone (375 px)</figcaption><iframe id="phone" title="Phone preview" width="375" src="{source}{query}"></iframe></figure>
            <figure><figcaption>Phone, dark mode (the reader's client set to dark)</figcaption><iframe id="phone-dark" title="Phone preview in dark mode" width="375" style="color-scheme: dark; background: #111827" src="{source}{query}"></iframe></figure>
            <figure><figcaption>Text</figcaption><iframe id="text" title="Text preview" width="600" src="{source}.txt{query}"></iframe></figure>
            </div>
            """;
    }
}

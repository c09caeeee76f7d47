using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Digest.App.Web;

/// <summary>The plain page frame shared by Digest's public pages. Every value put in it is HTML-encoded by the caller via <see cref="E"/>.</summary>
internal static class Page
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>The answer to a subscriber link whose token is forged, cut short or expired, saying which.</summary>
    public static IResult InvalidLink(string? problem) =>
        Html("Link not valid", $"<h1>This link does not work</h1><p>{E(problem)}.</p>", StatusCodes.Status400BadRequest);

    /// <summary>The hidden antiforgery field every form on Digest's pages carries (checked on every form post).</summary>
    public static string AntiforgeryField(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";
    }

    public static IResult Html(string title, string body, int status = StatusCodes.Status200OK) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · Digest</title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.55; color: #111827; }
          a { color: #1d4ed8; } .muted { color: #6b7280; } button { font-size: 1rem; padding: .5rem 1rem; }
        </style>
        </head>
        <body>
        {{body}}
        </body>
        </html>
        """, "text/html; charset=utf-8", statusCode: status);
}

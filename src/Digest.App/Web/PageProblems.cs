using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Digest.App.Web;

/// <summary>What the shared problem page (<c>Pages/Shared/_Problem.cshtml</c>) shows: a heading and a sentence.</summary>
public sealed record ProblemView(string Title, string Message);

/// <summary>Answers from a page that cannot show what was asked for: one page, in the layout, with the right status.</summary>
internal static class PageProblems
{
    public static PartialViewResult Problem(this PageModel page, int status, string title, string message) => new()
    {
        ViewName = "_Problem",
        StatusCode = status,
        ViewData = new ViewDataDictionary<ProblemView>(page.ViewData, new ProblemView(title, message)),
    };

    /// <summary>The answer to a subscriber link whose token is forged, cut short or expired, saying which.</summary>
    public static PartialViewResult InvalidLink(this PageModel page, string? problem) =>
        page.Problem(StatusCodes.Status400BadRequest, "This link does not work", $"{problem}.");

    /// <summary>A page reached through a personal link: not cached, not indexed, not passed on as a referrer.</summary>
    public static void KeepPrivate(this HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Robots-Tag"] = "noindex";
    }
}

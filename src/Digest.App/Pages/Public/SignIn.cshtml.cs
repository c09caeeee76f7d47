using System.Security.Claims;
using Digest.App.Web;
using Digest.App.Web.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Public;

/// <summary>The sign-in form. Its posts are limited per client (<see cref="RateLimits"/>) and per client and name (<see cref="SignInGuard"/>).</summary>
[RateLimited(RateLimits.SignIn)]
[RequestSizeLimit(RateLimits.MaxFormBytes)]
public sealed class SignInModel(SignInGuard guard) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string? UserName { get; set; }
    [BindProperty] public string? Password { get; set; }
    public string? Problem { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(UserName) || string.IsNullOrEmpty(Password))
            return Refuse(StatusCodes.Status400BadRequest, "Enter your user name and password.");
        var outcome = guard.SignIn(ClientKey.Of(HttpContext), UserName.Trim(), Password);
        if (outcome.User is not { } user)
            return Refuse(StatusCodes.Status401Unauthorized, outcome.Problem);

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, SessionStamp.Principal(user));
        return LocalRedirect(SafeReturn(ReturnUrl));
    }

    private PageResult Refuse(int status, string? problem)
    {
        Problem = problem;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>Only a plain path on this site: a sign-in link can never send someone elsewhere, nor break the redirect.</summary>
    public static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 2000 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl) ? url : "/";
}

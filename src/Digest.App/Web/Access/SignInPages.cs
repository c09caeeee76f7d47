using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace Digest.App.Web.Access;

/// <summary>The sign-in form, and signing out.</summary>
internal static class SignInPages
{
    public const string Path = "/signin";

    internal sealed record SignInForm
    {
        public string? UserName { get; init; }
        public string? Password { get; init; }
        public string? ReturnUrl { get; init; }
    }

    public static void MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext context, string? returnUrl) => Form(context, returnUrl, null, StatusCodes.Status200OK));

        // Form posts are checked for their antiforgery token by UseAntiforgery before this runs.
        app.MapPost(Path, async (HttpContext context, [FromForm] SignInForm form, SignInGuard guard) =>
        {
            if (string.IsNullOrWhiteSpace(form.UserName) || string.IsNullOrEmpty(form.Password))
                return Form(context, form.ReturnUrl, "Enter your user name and password.", StatusCodes.Status400BadRequest);
            var outcome = guard.SignIn(form.UserName.Trim(), form.Password);
            if (outcome.User is not { } user)
                return Form(context, form.ReturnUrl, outcome.Problem, StatusCodes.Status401Unauthorized);

            var claims = new List<Claim> { new(ClaimTypes.Name, user.Name) };
            claims.AddRange(user.Roles.Select(role => new Claim(ClaimTypes.Role, role.ToLowerInvariant())));
            if (!string.IsNullOrWhiteSpace(user.Email))
                claims.Add(new Claim(ClaimTypes.Email, user.Email));
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.LocalRedirect(SafeReturn(form.ReturnUrl));
        });

        app.MapPost("/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(Path);
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());
    }

    /// <summary>Only a path on this site: a sign-in link can never send someone elsewhere.</summary>
    private static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";

    /// <summary>The sign-out button, for pages that show who is signed in.</summary>
    public static string SignOutForm(HttpContext context) => context.User.Identity?.IsAuthenticated == true
        ? $"""<form method="post" action="/signout" class="signout">{Page.AntiforgeryField(context)}Signed in as {Page.E(context.User.Identity.Name)} <button type="submit">Sign out</button></form>"""
        : "";

    private static IResult Form(HttpContext context, string? returnUrl, string? problem, int status) =>
        Page.Html("Sign in", $"""
            <h1>Sign in</h1>
            {(problem is null ? "" : $"""<p class="error" role="alert">{Page.E(problem)}</p>""")}
            <form method="post" action="{Path}">
            {Page.AntiforgeryField(context)}
            <input type="hidden" name="returnUrl" value="{Page.E(SafeReturn(returnUrl))}">
            <p><label>User name<br><input name="userName" autocomplete="username" required></label></p>
            <p><label>Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            {SignOutForm(context)}
            """, status);
}

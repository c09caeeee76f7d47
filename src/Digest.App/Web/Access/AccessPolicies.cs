using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Digest.App.Web.Access;

/// <summary>
/// Who may reach what. Any endpoint protects itself with <c>.RequireAuthorization(AccessPolicies.Editor)</c> or
/// <c>.RequireAuthorization(AccessPolicies.Admin)</c>; anonymous page requests are sent to the sign-in page and
/// anonymous <c>/api/</c> requests get 401.
/// </summary>
public static class AccessPolicies
{
    /// <summary>Editors and admins: articles, subscribers, editions, previews.</summary>
    public const string Editor = "editor";

    /// <summary>Admins only: the jobs dashboard and operator settings.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> Roles = [Editor, Admin];

    internal static IHostApplicationBuilder AddDigestAccess(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<UsersOptions>().Bind(builder.Configuration.GetSection(UsersOptions.SectionName));
        services.AddSingleton<IValidateOptions<UsersOptions>, UsersOptionsValidator>();
        services.AddSingleton<SignInGuard>();
        services.AddSingleton<IAuthorizationHandler, RoleOrLocalSetupHandler>();
        services.AddAntiforgery(options => options.Cookie.Name = "Digest.Antiforgery");
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.Cookie.Name = "Digest.SignIn";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.LoginPath = SignInPages.Path;
            options.ReturnUrlParameter = "returnUrl";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.Events.OnRedirectToLogin = context => IsApi(context.Request)
                ? Status(context.Response, StatusCodes.Status401Unauthorized)
                : Redirect(context);
            options.Events.OnRedirectToAccessDenied = context => IsApi(context.Request)
                ? Status(context.Response, StatusCodes.Status403Forbidden)
                : Page.Html("Not allowed", "<h1>Not allowed</h1><p>Your account does not have the role this page needs.</p>",
                    StatusCodes.Status403Forbidden).ExecuteAsync(context.HttpContext);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Editor, policy => policy.AddRequirements(new RoleRequirement(Editor)))
            .AddPolicy(Admin, policy => policy.AddRequirements(new RoleRequirement(Admin)));
        return builder;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>Needs the role (admin includes editor).</summary>
internal sealed record RoleRequirement(string Role) : IAuthorizationRequirement;

/// <summary>
/// Grants a requirement to a signed-in user with the role. Until the first user is configured, requests made on
/// this machine itself are let in, so an operator can set Digest up; a request that came through a reverse proxy
/// (it carries forwarding headers) never counts as local, even though the proxy connects from loopback.
/// </summary>
internal sealed class RoleOrLocalSetupHandler(IOptionsMonitor<UsersOptions> users) : AuthorizationHandler<RoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && (user.IsInRole(requirement.Role) || user.IsInRole(AccessPolicies.Admin)))
            context.Succeed(requirement);
        else if (users.CurrentValue.Count == 0 && context.Resource is HttpContext http && IsLocal(http))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }

    internal static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
        && !http.Request.Headers.ContainsKey("X-Forwarded-For") && !http.Request.Headers.ContainsKey("Forwarded");
}

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
        services.AddSingleton<Digest.Editions.IEditorAddresses, EditorAddresses>();
        services.AddSingleton<IAuthorizationHandler, RoleOrLocalSetupHandler>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "Digest.Antiforgery";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure under HTTPS (also behind a trusted TLS proxy)
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.Cookie.Name = "Digest.SignIn";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = "/signin";
            options.ReturnUrlParameter = "returnUrl";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = SessionStamp.ValidateAsync;
            options.Events.OnRedirectToLogin = context => IsApi(context.Request)
                ? Status(context.Response, StatusCodes.Status401Unauthorized)
                : Redirect(context);
            // A bare 403: pages get the error page from status code pages, the API a problem answer.
            options.Events.OnRedirectToAccessDenied = context => Status(context.Response, StatusCodes.Status403Forbidden);
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
/// this machine itself are let in, so an operator can set Digest up. Such a request must come over loopback, name
/// a loopback host (a page another site loads by DNS rebinding names that site), and carry no proxy header: a
/// request relayed by a reverse proxy never counts as local, even though the proxy connects from loopback.
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

    /// <summary>Headers a proxy, load balancer or CDN adds (ASP.NET Core's forwarded headers middleware renames X-Forwarded-* to X-Original-*).</summary>
    private static readonly string[] ProxyHeaders = ["Forwarded", "X-Real-IP", "Via", "True-Client-IP", "CF-Connecting-IP"];
    private static readonly string[] ProxyHeaderPrefixes = ["X-Forwarded-", "X-Original-"];

    internal static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
        && IsLoopbackName(http.Request.Host.Host)
        && !http.Request.Headers.Keys.Any(header => ProxyHeaders.Contains(header, StringComparer.OrdinalIgnoreCase)
            || ProxyHeaderPrefixes.Any(prefix => header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));

    private static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}

using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Digest.App.Web.Access;

/// <summary>
/// Ties a sign-in cookie to the user's settings as they were when they signed in: a stamp made from the configured
/// password hash and roles goes into the cookie, and every request compares it with the settings now. Removing a
/// user, changing their roles or their password ends their sessions at their next request.
/// </summary>
internal static class SessionStamp
{
    public const string ClaimType = "digest:stamp";

    public static string Of(WebUserOptions user) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(
        user.PasswordHash + "\n" + string.Join(",", user.Roles.Select(r => r.ToLowerInvariant()).Order(StringComparer.Ordinal)))));

    public static ClaimsPrincipal Principal(WebUser user)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(ClaimType, user.Stamp) };
        claims.AddRange(user.Roles.Select(role => new Claim(ClaimTypes.Role, role.ToLowerInvariant())));
        if (!string.IsNullOrWhiteSpace(user.Email))
            claims.Add(new Claim(ClaimTypes.Email, user.Email));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    /// <summary>The cookie handler's check on every request that carries a sign-in cookie.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<UsersOptions>>().CurrentValue;
        string? name = context.Principal?.Identity?.Name;
        string? stamp = context.Principal?.FindFirstValue(ClaimType);
        if (name is not null && stamp is not null && users.TryGetValue(name, out var user)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stamp), Encoding.UTF8.GetBytes(Of(user))))
            return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}

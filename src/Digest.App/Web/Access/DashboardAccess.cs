using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authorization;

namespace Digest.App.Web.Access;

/// <summary>
/// Lets only admins into the Hangfire dashboard, by the same policy as every other admin page. Replaces Hangfire's
/// default "local requests only" filter, which would admit everyone behind a reverse proxy.
/// </summary>
internal sealed class DashboardAccess : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(http.User, http, AccessPolicies.Admin)).Succeeded;
    }
}

using System.Text.Json;
using Digest.App.Web.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Digest.App.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Digest.App;

/// <summary>
/// Health on ASP.NET Core's health checks, as orchestrators probe it: <c>/healthz/live</c> (the process answers),
/// <c>/healthz/ready</c> (the store, the job queue and a live worker for the work there is) and <c>/healthz</c>
/// (everything, the SMTP relays too). 503 with a JSON body naming the failing check when not ready. Everybody gets
/// the status and the check names; hosts, job servers and errors only an admin.
/// </summary>
internal static class HealthSetup
{
    private const string Ready = "ready";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static IHostApplicationBuilder AddDigestHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready], timeout: ProbeTimeout)
            .AddCheck<JobStorageHealthCheck>("job-storage", tags: [Ready], timeout: ProbeTimeout)
            .AddCheck<WorkersHealthCheck>("workers", tags: [Ready], timeout: ProbeTimeout)
            .AddCheck<SmtpHealthCheck>("smtp", failureStatus: HealthStatus.Degraded, timeout: ProbeTimeout);
        return builder;
    }

    /// <summary>Maps the three health paths; every process role answers them.</summary>
    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteAsync });
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync });
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        bool admin = (await authorization.AuthorizeAsync(context.User, context, AccessPolicies.Admin)).Succeeded;
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(entry => admin
                ? (object)new
                {
                    name = entry.Key, status = entry.Value.Status.ToString(), description = entry.Value.Description,
                    error = entry.Value.Exception?.Message, data = entry.Value.Data.Count > 0 ? entry.Value.Data : null,
                }
                : new { name = entry.Key, status = entry.Value.Status.ToString() }),
        };
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}

using Digest.Storage;
using Hangfire;

namespace Digest.App.Web;

/// <summary>
/// <c>/healthz</c>: whether this process reaches the store, and every job server of the cluster with its last
/// heartbeat, so an operator (or a load balancer) sees a dead worker. 503 when the store is unreachable.
/// </summary>
internal static class HealthEndpoint
{

    public static void MapHealth(this WebApplication app) =>
        app.MapGet("/healthz", async (Database database, JobStorage jobs, TimeProvider time, CancellationToken cancellationToken) =>
        {
            string? storeProblem = null;
            try
            {
                await database.PingAsync(cancellationToken);
            }
            catch (Exception error) when (error is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
            {
                storeProblem = error.Message;
            }

            var now = time.GetUtcNow().UtcDateTime;
            var servers = jobs.GetMonitoringApi().Servers().Select(s => new
            {
                name = s.Name,
                workers = s.WorkersCount,
                queues = s.Queues,
                lastHeartbeat = s.Heartbeat,
                alive = Jobs.JobsSetup.IsAlive(s, now),
            }).ToList();
            var body = new
            {
                status = storeProblem is null ? "ok" : "unhealthy",
                storage = new { provider = database.Provider.ToString(), reachable = storeProblem is null, problem = storeProblem },
                servers,
            };
            return Results.Json(body, statusCode: storeProblem is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
}

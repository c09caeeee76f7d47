using Dapper;
using Digest.App.Jobs;
using Digest.Editions;
using Digest.Delivery;
using Digest.Storage;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Digest.App.Health;

/// <summary>The store answers a query within the probe's time.</summary>
internal sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        await database.PingAsync(cancellationToken);
        return HealthCheckResult.Healthy($"{database.Provider} answers");
    }
}

/// <summary>The job queue answers, and which job servers of the cluster are alive (their heartbeats).</summary>
internal sealed class JobStorageHealthCheck(JobStorage jobs, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var servers = jobs.GetMonitoringApi().Servers().Select(s => new
        {
            name = s.Name, workers = s.WorkersCount, queues = s.Queues, lastHeartbeat = s.Heartbeat, alive = JobsSetup.IsAlive(s, now),
        }).ToList();
        return Task.FromResult(HealthCheckResult.Healthy($"{servers.Count(s => s.alive)} of {servers.Count} job servers alive",
            new Dictionary<string, object> { ["servers"] = servers }));
    }
}

/// <summary>
/// Somebody can do the work there is: unhealthy when jobs wait in a queue, or a run is sending, and no live job
/// server takes that queue. The web front alone answers pages but sends nothing.
/// </summary>
internal sealed class WorkersHealthCheck(JobStorage jobs, Database database, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var monitoring = jobs.GetMonitoringApi();
        var now = time.GetUtcNow().UtcDateTime;
        var served = monitoring.Servers().Where(s => JobsSetup.IsAlive(s, now)).SelectMany(s => s.Queues).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var waiting = monitoring.Queues().Where(q => q.Length > 0 && !served.Contains(q.Name)).Select(q => $"{q.Length} job(s) in queue '{q.Name}'").ToList();
        long sending;
        await using (var connection = await database.OpenAsync(cancellationToken))
            sending = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE status = @sending", new { sending = RunStatus.Sending });
        if (sending > 0 && served.Count == 0)
            waiting.Add($"{sending} run(s) sending");
        return waiting.Count == 0
            ? HealthCheckResult.Healthy($"live job servers take queues: {string.Join(", ", served.Order())}")
            : HealthCheckResult.Unhealthy($"no live job server for the work there is: {string.Join("; ", waiting)}; start a worker (Process:Role Worker or All)");
    }
}

/// <summary>
/// Mail can go out. Unhealthy while a run waits on an alert (the relay refused Digest's password or certificate:
/// nothing is sent until the operator changes the setting it names); degraded, not down, when a relay does not
/// accept a TCP connection (mail waits and is retried).
/// </summary>
internal sealed class SmtpHealthCheck(IOptions<DeliveryOptions> delivery, RunAlerts alerts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var waiting = await alerts.ActiveAsync(cancellationToken);
        if (waiting.Count > 0)
            return HealthCheckResult.Unhealthy(string.Join("; ", waiting.Select(w => $"run {w.RunId} of {w.Edition} waits: {w.Alert}")));
        var options = delivery.Value;
        if (options.Transport != MailTransportKind.Smtp)
            return HealthCheckResult.Healthy("mail goes to the pickup folder");
        var unreachable = new List<string>();
        foreach (var server in options.Smtp.EffectiveServers)
        {
            try
            {
                using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
            }
            catch (Exception error) when (error is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                unreachable.Add($"{server}: {error.Message}");
            }
        }
        return unreachable.Count == 0
            ? HealthCheckResult.Healthy($"{options.Smtp.EffectiveServers.Count} SMTP server(s) reachable")
            : new HealthCheckResult(context.Registration.FailureStatus, $"not reachable: {string.Join("; ", unreachable)}");
    }
}

using Digest.Delivery;
using Digest.Storage;
using Hangfire;

namespace Digest.App.Jobs;

/// <summary>
/// Keeps <see cref="SenderShare"/> at the number of live job servers of the cluster (from their Hangfire heartbeats),
/// so rate limits hold for the whole installation as workers come and go.
/// </summary>
internal sealed class SenderCount(JobStorage storage, SenderShare share, ILogger<SenderCount> logger) : BackgroundService
{
    private static readonly TimeSpan Every = JobsSetup.HeartbeatInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                int alive = storage.GetMonitoringApi().Servers().Count(s => JobsSetup.IsAlive(s, DateTime.UtcNow));
                if (alive > 0 && alive != share.Senders)
                {
                    logger.LogInformation("{Senders} sending processes in the cluster: each paces at 1/{Senders} of the configured rates", alive, alive);
                    share.Senders = alive;
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The store is briefly unreachable: keep the last count rather than stop pacing.
                logger.LogWarning("Could not count the cluster's job servers: {Reason}", error.Message);
            }
        }
        while (await timer.NextTickOrStopAsync(stoppingToken));
    }

}

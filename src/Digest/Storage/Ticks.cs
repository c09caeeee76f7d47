namespace Digest.Storage;

internal static class Ticks
{
    /// <summary>
    /// Waits for the timer's next tick; false once the service stops, however it stops. A stop that comes as a
    /// disposal (a host that failed to start) cancels the token without a StopAsync, and the host would take the
    /// resulting exception for a crash of the service.
    /// </summary>
    public static async Task<bool> NextTickOrStopAsync(this PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

using Digest.Delivery;
using Digest.Editions;
using Hangfire;

namespace Digest.App.Jobs;

/// <summary>
/// Resumes every unfinished run the moment an SMTP server that could not be reached answers again: the copies held
/// for the outage are due then, and left to the minutely resume job they would wait up to a minute more.
/// </summary>
internal sealed class ResumeOnServerReturn(IMailTransport transport, IBackgroundJobClient jobs, ILogger<ResumeOnServerReturn> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await transport.NextServerReturn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // stopping (or a start that failed): nothing to say
            }
            try
            {
                jobs.Enqueue<EditionJobs>(job => job.ResumeUnfinishedAsync(CancellationToken.None));
                logger.LogInformation("An SMTP server answers again: unfinished runs resume now");
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The job store is out too: the minutely resume job sends the held copies once both are back.
                logger.LogWarning(error, "An SMTP server answers again, but resuming the unfinished runs could not be queued");
            }
        }
    }
}

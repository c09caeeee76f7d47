using Digest.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Articles;

/// <summary>Scans the inbox folder on a short interval for as long as the service runs.</summary>
internal sealed class InboxWatcher(InboxProcessor processor, IOptions<InboxOptions> options, ILogger<InboxWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Watching {Inbox} for articles", processor.InboxPath);
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                await processor.ProcessOnceAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The loop must outlive any one bad pass (a full disk, a database hiccup): log and scan again.
                logger.LogError(error, "Inbox pass failed; retrying on the next tick");
            }
        }
        while (await timer.NextTickOrStopAsync(stoppingToken));
    }
}

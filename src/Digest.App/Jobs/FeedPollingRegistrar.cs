using Digest.Articles.Feeds;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Digest.App.Jobs;

/// <summary>
/// One recurring job, once a minute, polls whichever feeds are due (each feed keeps its own interval and retry
/// schedule in the store); with no feeds configured there is no job.
/// </summary>
internal sealed class FeedPollingRegistrar(IRecurringJobManager recurring, IOptions<FeedsOptions> feeds, ILogger<FeedPollingRegistrar> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (feeds.Value.Count == 0)
        {
            recurring.RemoveIfExists(FeedJobs.RecurringId);
            return Task.CompletedTask;
        }
        recurring.AddOrUpdate<FeedJobs>(FeedJobs.RecurringId, job => job.PollDueAsync(CancellationToken.None), Cron.Minutely());
        foreach (var feed in feeds.Value)
            logger.LogInformation("Feed {Feed}: {Url} every {PollEvery}", feed.Name, feed.Url, feed.PollEvery);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

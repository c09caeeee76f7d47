using Hangfire;

namespace Digest.Articles.Feeds;

/// <summary>The Hangfire job that polls the feeds that are due; failures are handled per feed inside the poller.</summary>
public sealed class FeedJobs(FeedPoller poller)
{
    public const string RecurringId = "feeds:poll";

    [AutomaticRetry(Attempts = 0)] // a failing feed has its own retry schedule; the next minute's run takes the rest
    [DisableConcurrentExecution(timeoutInSeconds: 10)]
    public Task PollDueAsync(CancellationToken cancellationToken) => poller.PollDueAsync(cancellationToken);
}

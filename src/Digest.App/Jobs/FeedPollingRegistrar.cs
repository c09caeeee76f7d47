using Digest.Articles.Feeds;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Digest.App.Jobs;

/// <summary>
/// One recurring job, once a minute, polls whichever feeds are due (each feed keeps its own interval and retry
/// schedule in the store); with no feeds configured there is no job. Feeds added to or removed from the settings
/// while the service runs take effect at once, as edition edits do: the job appears with the first feed, goes with
/// the last, and a newly added feed is polled straight away rather than at the next minute.
/// </summary>
internal sealed class FeedPollingRegistrar(IRecurringJobManager recurring, IOptionsMonitor<FeedsOptions> feeds, ILogger<FeedPollingRegistrar> logger)
    : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private IReadOnlyList<FeedSource> _registered = [];
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Register(feeds.CurrentValue, pollAddedAtOnce: false);
        _subscription = feeds.OnChange(changed => Register(changed, pollAddedAtOnce: true));
        return Task.CompletedTask;
    }

    private void Register(FeedsOptions current, bool pollAddedAtOnce)
    {
        lock (_gate)
        {
            var added = current.Where(feed => !_registered.Any(known => Same(known, feed))).ToList();
            var removed = _registered.Where(known => !current.Any(feed => Same(known, feed))).ToList();
            bool firstLook = _registered.Count == 0 && !pollAddedAtOnce;
            _registered = [.. current];
            if (added.Count == 0 && removed.Count == 0 && !firstLook)
                return; // the settings changed elsewhere; the feeds did not

            foreach (var feed in removed.Where(gone => !current.Any(feed => Named(gone, feed.Name))))
                logger.LogInformation("Feed {Feed}: removed from the settings, no longer polled", feed.Name);
            foreach (var feed in added)
                logger.LogInformation("Feed {Feed}: {Url} every {PollEvery}", feed.Name, feed.Url, feed.PollEvery);

            if (current.Count == 0)
            {
                recurring.RemoveIfExists(FeedJobs.RecurringId);
                return;
            }
            recurring.AddOrUpdate<FeedJobs>(FeedJobs.RecurringId, job => job.PollDueAsync(CancellationToken.None), Cron.Minutely());
            if (pollAddedAtOnce && added.Count > 0)
                recurring.Trigger(FeedJobs.RecurringId);
        }
    }

    private static bool Named(FeedSource feed, string name) => string.Equals(feed.Name, name, StringComparison.OrdinalIgnoreCase);

    private static bool Same(FeedSource a, FeedSource b) => Named(a, b.Name) && a.Url == b.Url && a.PollEvery == b.PollEvery;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();
}

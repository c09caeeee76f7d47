using Digest.Feedback;
using Digest.Subscribers;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Digest.App.Jobs;

/// <summary>
/// Registers the jobs after the send: the feedback mailbox check while <c>Feedback:Imap:Host</c> is set (removed when
/// it is not), and the hourly erasure of addresses kept past <c>Subscribers:Retention</c>.
/// </summary>
internal sealed class FeedbackJobsRegistrar(IRecurringJobManager recurring, IOptions<FeedbackOptions> options) : IHostedService
{
    public const string RetentionJobId = "subscribers:erase-expired";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var imap = options.Value.Imap;
        if (imap.Enabled)
            recurring.AddOrUpdate<FeedbackJobs>(FeedbackJobs.CheckJobId, job => job.CheckMailboxAsync(CancellationToken.None), Cron(imap.PollEvery));
        else
            recurring.RemoveIfExists(FeedbackJobs.CheckJobId);
        recurring.AddOrUpdate<PersonalData>(RetentionJobId, data => data.EraseExpiredAsync(CancellationToken.None), Hangfire.Cron.Hourly());
        return Task.CompletedTask;
    }

    /// <summary>Every N minutes (at least one), or every N hours for intervals of an hour or more.</summary>
    private static string Cron(TimeSpan every) => every >= TimeSpan.FromHours(1)
        ? $"0 */{Math.Clamp((int)every.TotalHours, 1, 23)} * * *"
        : $"*/{Math.Clamp((int)every.TotalMinutes, 1, 59)} * * * *";

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

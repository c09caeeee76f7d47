using Digest.Feedback;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Digest.App.Jobs;

/// <summary>Registers the feedback mailbox check while <c>Feedback:Imap:Host</c> is set, and removes it when it is not.</summary>
internal sealed class FeedbackJobsRegistrar(IRecurringJobManager recurring, IOptions<FeedbackOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var imap = options.Value.Imap;
        if (imap.Enabled)
            recurring.AddOrUpdate<FeedbackJobs>(FeedbackJobs.CheckJobId, job => job.CheckMailboxAsync(CancellationToken.None), Cron(imap.PollEvery));
        else
            recurring.RemoveIfExists(FeedbackJobs.CheckJobId);
        return Task.CompletedTask;
    }

    /// <summary>Every N minutes (at least one), or every N hours for intervals of an hour or more.</summary>
    private static string Cron(TimeSpan every) => every >= TimeSpan.FromHours(1)
        ? $"0 */{Math.Clamp((int)every.TotalHours, 1, 23)} * * *"
        : $"*/{Math.Clamp((int)every.TotalMinutes, 1, 59)} * * * *";

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Digest.Editions;
using Hangfire;
using Hangfire.Storage;

namespace Digest.App.Jobs;

/// <summary>
/// Registers the resume job that finishes unfinished runs and falls-due retries. Editions are not Hangfire
/// recurring jobs (the <see cref="EditionScheduler"/> queues them at their slots), so any left in a shared job
/// store by an older version are removed: two timekeepers would each fire the slot.
/// </summary>
internal sealed class RecurringJobsRegistrar(
    IRecurringJobManager recurring,
    IBackgroundJobClient jobs,
    JobStorage storage,
    ILogger<RecurringJobsRegistrar> logger) : IHostedService
{
    public const string ResumeJobId = "runs:resume";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        using var connection = storage.GetConnection();
        foreach (var stale in connection.GetRecurringJobs().Where(j => j.Id.StartsWith(EditionJobs.RecurringId(""), StringComparison.Ordinal)))
        {
            recurring.RemoveIfExists(stale.Id);
            logger.LogInformation("Removed the recurring job {Job}: editions are queued by Digest's own scheduler", stale.Id);
        }

        recurring.AddOrUpdate<EditionJobs>(ResumeJobId, job => job.ResumeUnfinishedAsync(CancellationToken.None), Cron.Minutely());
        // In-memory job storage forgets queued jobs when the process dies; the ledger does not. Resume at once.
        jobs.Enqueue<EditionJobs>(job => job.ResumeUnfinishedAsync(CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

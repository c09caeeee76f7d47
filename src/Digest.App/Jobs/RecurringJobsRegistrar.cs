using Digest.Editions;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace Digest.App.Jobs;

/// <summary>
/// Makes Hangfire's recurring jobs match appsettings.json: one per edition (in its time zone), none for an edition
/// that was removed, plus the resume job that finishes unfinished runs and falls-due retries.
/// </summary>
internal sealed class RecurringJobsRegistrar(
    IRecurringJobManager recurring,
    IBackgroundJobClient jobs,
    JobStorage storage,
    IOptionsMonitor<EditionsOptions> editions,
    ILogger<RecurringJobsRegistrar> logger) : IHostedService
{
    public const string ResumeJobId = "runs:resume";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = new HashSet<string>();
        foreach (var (name, options) in editions.CurrentValue)
        {
            string id = EditionJobs.RecurringId(name);
            configured.Add(id);
            var schedule = new EditionSchedule(options);
            recurring.AddOrUpdate<EditionJobs>(id, job => job.FireAsync(name.ToLowerInvariant(), CancellationToken.None), options.Cron,
                new RecurringJobOptions { TimeZone = schedule.TimeZone });
            logger.LogInformation("Edition {Edition}: '{Cron}' in {TimeZone}; next run {Next:u}", name, options.Cron, options.TimeZone,
                schedule.Next(DateTimeOffset.UtcNow, 1).FirstOrDefault());
        }

        using var connection = storage.GetConnection();
        foreach (var stale in connection.GetRecurringJobs().Where(j => j.Id.StartsWith("edition:", StringComparison.Ordinal) && !configured.Contains(j.Id)))
        {
            recurring.RemoveIfExists(stale.Id);
            logger.LogInformation("Removed the schedule of {Job}: the edition is no longer configured", stale.Id);
        }

        recurring.AddOrUpdate<EditionJobs>(ResumeJobId, job => job.ResumeUnfinishedAsync(CancellationToken.None), Cron.Minutely());
        // In-memory job storage forgets queued jobs when the process dies; the ledger does not. Resume at once.
        jobs.Enqueue<EditionJobs>(job => job.ResumeUnfinishedAsync(CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

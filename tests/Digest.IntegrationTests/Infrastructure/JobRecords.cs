using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Hangfire.Storage;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// One Hangfire job as the shared job storage recorded it: its method, its current state, the job servers that
/// processed it, and every attempt that went wrong (a failure, or a retry scheduled after one) with its reason.
/// </summary>
public sealed record RecordedJob(string Id, string Method, string State, IReadOnlyList<string> Servers, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"job {Id} {Method} [{State}] on {string.Join(", ", Servers)}{(Failures.Count == 0 ? "" : ": " + string.Join(" | ", Failures))}";
}

/// <summary>
/// Reads the PostgreSQL job storage that every Digest process of a deployment shares, through Hangfire's monitoring
/// API (what the dashboard shows), so a test can check that the jobs themselves ran cleanly, not only their effect.
/// </summary>
public static class JobRecords
{
    private const int Many = 100_000;

    /// <summary>Waits until no job is queued or running (at most <paramref name="timeout"/>), then reads every job.</summary>
    public static async Task<IReadOnlyList<RecordedJob>> SettledAsync(string connectionString, TimeSpan timeout)
    {
        var monitoring = Storage(connectionString).GetMonitoringApi();
        var deadline = DateTime.UtcNow + timeout;
        while (Busy(monitoring) && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        return Read(monitoring);
    }

    /// <summary>Every job in the storage, whatever its state.</summary>
    public static IReadOnlyList<RecordedJob> Read(string connectionString) => Read(Storage(connectionString).GetMonitoringApi());

    /// <summary>Jobs that failed or were retried after a failure: what the dashboard's "Failed" and "Retries" pages show.</summary>
    public static void AssertNoneFailed(IReadOnlyList<RecordedJob> jobs, string connectionString)
    {
        var failed = jobs.Where(j => j.Failures.Count > 0).ToList();
        Assert.True(failed.Count == 0, $"jobs failed:{Environment.NewLine}{string.Join(Environment.NewLine, failed)}");
        Assert.Equal(0, Storage(connectionString).GetMonitoringApi().FailedCount());
    }

    private static PostgreSqlStorage Storage(string connectionString)
    {
        var options = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = false };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    private static bool Busy(IMonitoringApi monitoring) =>
        monitoring.ProcessingCount() > 0 || monitoring.Queues().Any(q => q.Length > 0);

    private static IReadOnlyList<RecordedJob> Read(IMonitoringApi monitoring)
    {
        var listed = monitoring.SucceededJobs(0, Many).Select(j => (j.Key, SucceededState.StateName))
            .Concat(monitoring.FailedJobs(0, Many).Select(j => (j.Key, FailedState.StateName)))
            .Concat(monitoring.ProcessingJobs(0, Many).Select(j => (j.Key, ProcessingState.StateName)))
            .Concat(monitoring.ScheduledJobs(0, Many).Select(j => (j.Key, ScheduledState.StateName)))
            .Concat(monitoring.Queues().SelectMany(q => monitoring.EnqueuedJobs(q.Name, 0, Many)).Select(j => (j.Key, EnqueuedState.StateName)))
            .DistinctBy(j => j.Key);
        var jobs = new List<RecordedJob>();
        foreach (var (id, state) in listed)
        {
            var details = monitoring.JobDetails(id);
            if (details is null)
                continue;
            var history = details.History;
            var servers = history.Where(s => s.StateName == ProcessingState.StateName && s.Data.ContainsKey("ServerId"))
                .Select(s => s.Data["ServerId"]).Distinct().ToList();
            // A failed attempt of a job with retries left is recorded as a Scheduled state whose reason names the error.
            var failures = history.Where(s => s.StateName == FailedState.StateName
                    || (s.StateName == ScheduledState.StateName && s.Reason?.StartsWith("Retry attempt", StringComparison.Ordinal) == true))
                .Select(s => s.Data.TryGetValue("ExceptionMessage", out var message) ? $"{s.Reason} {message}" : s.Reason ?? s.StateName).ToList();
            if (details.Properties.ContainsKey("RetryCount") && failures.Count == 0)
                failures.Add("retried after a failure");
            jobs.Add(new RecordedJob(id, details.Job?.Method.Name ?? "?", state, servers, failures));
        }
        return jobs;
    }
}

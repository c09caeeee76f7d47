using Digest;
using Digest.Editions;
using Digest.Storage;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;

namespace Digest.App.Jobs;

internal static class JobsSetup
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>A job server is taken for dead after three missed heartbeats.</summary>
    public static bool IsAlive(Hangfire.Storage.Monitoring.ServerDto server, DateTime utcNow) =>
        server.Heartbeat is { } beat && utcNow - beat < 3 * HeartbeatInterval;

    /// <summary>
    /// Hangfire: in-memory storage with SQLite (one process), PostgreSQL storage shared by every process with Postgres.
    /// The server runs only in processes whose role includes jobs, polling every second for retries and delayed
    /// jobs. Editions are queued at their slot by the <see cref="EditionScheduler"/>, so a 07:00 edition starts at
    /// 07:00, not at the next poll.
    /// </summary>
    public static IHostApplicationBuilder AddDigestJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ProcessOptions>().Bind(builder.Configuration.GetSection(ProcessOptions.SectionName));
        services.AddSingleton<IValidateOptions<ProcessOptions>, ProcessOptionsValidator>();
        var process = builder.Configuration.GetSection(ProcessOptions.SectionName).Get<ProcessOptions>() ?? new ProcessOptions();
        builder.AddDigestStartup();
        services.AddHostedService<JobQueueSchema>(); // after the migrations, before anything uses the job queue
        if (process.RunsJobs)
            builder.AddDigestInbox();

        services.AddHangfire((provider, configuration) =>
        {
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            var database = provider.GetRequiredService<Database>();
            if (database.Provider == StorageProvider.Postgres)
                configuration.UsePostgreSqlStorage(
                    options => options.UseNpgsqlConnection(database.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        // A long batch is never handed to a second worker while the first is alive and heart-beating.
                        UseSlidingInvisibilityTimeout = true,
                        InvisibilityTimeout = TimeSpan.FromMinutes(5),
                        QueuePollInterval = TimeSpan.FromMilliseconds(500),
                        // An idle worker hears of a queued job at once (LISTEN/NOTIFY), not at its next poll: a run's
                        // batches are queued chunk by chunk as its audience is frozen.
                        EnableLongPolling = true,
                        DistributedLockTimeout = TimeSpan.FromMinutes(1),
                        PrepareSchemaIfNecessary = false, // JobQueueSchema installs it
                    });
            else
                configuration.UseInMemoryStorage();
        });

        if (process.RunsJobs)
        {
            services.AddHangfireServer(options =>
            {
                options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
                options.WorkerCount = process.WorkerCount;
                options.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{process.Role.ToString().ToLowerInvariant()}";
                // Frequent heartbeats let /healthz and the dashboard show a dead worker within seconds, not minutes.
                options.HeartbeatInterval = HeartbeatInterval;
                options.ServerTimeout = TimeSpan.FromMinutes(1);
            });
            if (builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.Provider == StorageProvider.Postgres)
                services.AddHostedService<SenderCount>();
        }
        services.AddHostedService<RecurringJobsRegistrar>();
        services.AddHostedService<FeedPollingRegistrar>();
        services.AddHostedService<FeedbackJobsRegistrar>();
        if (process.RunsJobs)
        {
            services.AddSingleton<EditionScheduler>();
            services.AddHostedService(sp => sp.GetRequiredService<EditionScheduler>());
            services.AddHostedService<ResumeOnServerReturn>();
        }
        return builder;
    }
}

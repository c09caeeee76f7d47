using Digest.Editions;
using Hangfire;

namespace Digest.App.Jobs;

internal static class JobsSetup
{
    /// <summary>
    /// Hangfire on in-memory storage, polling every second for retries and delayed jobs. Editions are queued at
    /// their slot by the <see cref="EditionScheduler"/>, so a 07:00 edition starts at 07:00, not at the next poll.
    /// </summary>
    public static IHostApplicationBuilder AddDigestJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseInMemoryStorage());
        services.AddHangfireServer(options =>
        {
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            options.WorkerCount = Math.Max(2, Environment.ProcessorCount * 2);
        });
        services.AddHostedService<RecurringJobsRegistrar>();
        services.AddSingleton<EditionScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<EditionScheduler>());
        return builder;
    }
}

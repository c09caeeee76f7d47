using Hangfire;

namespace Digest.App.Jobs;

internal static class JobsSetup
{
    /// <summary>Hangfire on in-memory storage, polling every second so a 07:00 edition leaves at 07:00, not 07:00:15.</summary>
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
        services.AddHostedService<FeedPollingRegistrar>();
        return builder;
    }
}

using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Digest.App.Metrics;

/// <summary>
/// Exports <see cref="DigestMetrics"/> with OpenTelemetry, for Prometheus to scrape from the management port. Every
/// process role serves it, workers too: they are where messages go out.
/// </summary>
internal static class MetricsSetup
{
    public static IHostApplicationBuilder AddDigestMetrics(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<MetricsOptions>().Bind(builder.Configuration.GetSection(MetricsOptions.SectionName)).ValidateDataAnnotations();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        // Registered whatever the settings (the test host and settings files add theirs after this runs); the
        // management server starts only with a port.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(DigestMetrics.MeterName).AddPrometheusExporter());
        services.AddHostedService<ManagementServer>();
        return builder;
    }
}

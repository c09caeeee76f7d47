using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Digest.App.Metrics;

/// <summary>
/// A web server of its own on the management port, serving only <c>/metrics</c>: nothing of the site (pages, API,
/// sign-in) is reachable there, and the metrics are not reachable on the site's port. Off while no port is set. It has no settings of its own
/// beyond the "Metrics" section, so the site's Kestrel or URL settings never move it.
/// </summary>
internal sealed class ManagementServer(IOptions<MetricsOptions> options, MeterProvider meters, ILogger<ManagementServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Endpoint is not { } endpoint)
            return;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.AddRoutingCore();
        builder.Services.AddOptions();
        var server = builder.Build();
        server.UseRouting();
        server.MapPrometheusScrapingEndpoint("/metrics", meters, configureBranchedPipeline: null, optionsName: null);
        _server = server;
        try
        {
            await server.StartAsync(cancellationToken);
        }
        catch (IOException taken) when (taken.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Reported at start in words, naming this setting rather than the site's Urls.
            throw new ManagementPortInUseException(
                $"Metrics:Port: {endpoint.Port} is already in use ({endpoint}): another program, or another Digest process on this machine, " +
                "is listening there. Give each process a port of its own (e.g. the environment variable Metrics__Port).", taken);
        }
        logger.LogInformation("Metrics for Prometheus at http://{Endpoint}/metrics", endpoint);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
            await _server.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

/// <summary>The management port is taken: the process stops at start, saying which setting to change.</summary>
internal sealed class ManagementPortInUseException(string message, Exception inner) : Exception(message, inner);

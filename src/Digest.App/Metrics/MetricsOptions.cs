using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace Digest.App.Metrics;

/// <summary>
/// The "Metrics" section: Digest's metrics in Prometheus's text format at <c>/metrics</c>, on a management port of
/// its own, apart from the site. Off until a port is set.
/// </summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>The management port; none (the default) serves no metrics.</summary>
    [Range(1, 65535, ErrorMessage = "Metrics:Port must be between 1 and 65535")]
    public int? Port { get; set; }

    /// <summary>
    /// The address the management port listens on: loopback by default, so only a scraper on the same machine (or a
    /// tunnel to it) reads the metrics. Give another address only on a network that only the scraper can reach.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    internal IPEndPoint? Endpoint => Port is { } port ? new IPEndPoint(IPAddress.Parse(Address), port) : null;
}

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options) =>
        IPAddress.TryParse(options.Address, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Metrics:Address: '{options.Address}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)");
}

using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

/// <summary>
/// The "Proxy" section: the reverse proxies (e.g. the TLS terminator) whose X-Forwarded-For and X-Forwarded-Proto
/// Digest believes. Requests from anywhere else keep their own address and scheme, whatever headers they carry.
/// </summary>
public sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    /// <summary>Addresses of trusted proxies, e.g. "10.0.0.5".</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. "10.0.0.0/24".</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var failures = new List<string>();
        for (int i = 0; i < options.KnownProxies.Count; i++)
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
                failures.Add($"Proxy:KnownProxies:{i}: '{options.KnownProxies[i]}' is not an IP address");
        for (int i = 0; i < options.KnownNetworks.Count; i++)
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
                failures.Add($"Proxy:KnownNetworks:{i}: '{options.KnownNetworks[i]}' is not a network in CIDR form (e.g. 10.0.0.0/24)");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class ProxySetup
{
    public static IHostApplicationBuilder AddDigestProxies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptionsWithValidateOnStart<ProxyOptions>().Bind(builder.Configuration.GetSection(ProxyOptions.SectionName));
        builder.Services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies: ASP.NET Core would otherwise trust any process on loopback.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (string proxy in proxies.Value.KnownProxies)
                if (IPAddress.TryParse(proxy, out var address))
                    forwarded.KnownProxies.Add(address);
            foreach (string network in proxies.Value.KnownNetworks)
                if (System.Net.IPNetwork.TryParse(network, out var parsed))
                    forwarded.KnownIPNetworks.Add(parsed);
        });
        return builder;
    }
}

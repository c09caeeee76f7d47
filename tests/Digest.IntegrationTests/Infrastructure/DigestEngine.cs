using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// The engine alone (no web, no job server) on a service's working folder and settings, inside the test process:
/// to seed the store a separate service process then works on, and to read its ledger afterwards.
/// </summary>
public static class DigestEngine
{
    public static async Task<IHost> StartAsync(string folder)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder, DisableDefaults = true });
        builder.Configuration.AddJsonFile(Path.Combine(folder, "appsettings.json"));
        builder.AddDigestEngine();
        var host = builder.Build();
        await host.Services.PrepareDigestAsync();
        return host;
    }
}

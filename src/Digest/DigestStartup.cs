using Microsoft.Extensions.Hosting;

namespace Digest;

/// <summary>Runs first among the hosted services: the schema is current and every template compiles before anything else starts.</summary>
internal sealed class DigestStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => services.PrepareDigestAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Digest;
using Digest.App;
using Digest.App.Cli;
using Digest.App.Jobs;
using Digest.App.Metrics;
using Digest.App.Settings;
using Digest.App.Web;

if (DigestCli.Handles(args))
    return await StartupErrors.ReportAsync(args, "run that command", DigestCli.RunAsync);

return await StartupErrors.ReportAsync(args, "start", async args =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Configuration.KeepLastGoodOnReload();
    // Start-up failures are reported once, in words, by StartupErrors.
    builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    builder.AddDigestEngine().AddDigestJobs().AddDigestWeb().AddDigestHealth().AddDigestMetrics();
    builder.Services.AddHostedService<SettingsReloadLog>();
    builder.Services.AddHostedService<RestartNeededLog>();

    var app = builder.Build();
    using var instance = InstanceLock.ForService(app.Services);
    app.MapDigestWeb();
    await app.RunAsync();
    return 0;
});

/// <summary>The entry point, visible to the integration tests' web host factory.</summary>
public partial class Program;

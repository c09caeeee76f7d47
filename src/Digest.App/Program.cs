using Digest;
using Digest.App;
using Digest.App.Api;
using Digest.App.Cli;
using Digest.App.Jobs;
using Digest.App.Web;

if (DigestCli.Handles(args))
    return await DigestCli.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
// Start-up failures are reported once, in words, by RunReportingStartupErrorsAsync.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
builder.AddDigestEngine().AddDigestJobs().AddDigestWeb();

var app = builder.Build();
app.MapDigestWeb();
app.MapDigestApi();
return await app.RunReportingStartupErrorsAsync();

/// <summary>The entry point, visible to the integration tests' web host factory.</summary>
public partial class Program;

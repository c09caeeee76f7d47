using Digest.App.Jobs;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

internal static class WebSetup
{
    public static IHostApplicationBuilder AddDigestWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOptionsWithValidateOnStart<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.SectionName)).ValidateDataAnnotations();
        return builder;
    }

    public static WebApplication MapDigestWeb(this WebApplication app)
    {
        app.MapHealth();
        if (!app.Services.GetRequiredService<IOptions<ProcessOptions>>().Value.ServesWeb)
            return app; // a worker answers health checks only
        app.UseStatusCodePages();
        app.MapHomePage();
        app.MapPreview();
        app.MapArticlePages();
        app.MapArticleApi();
        app.MapUnsubscribe();
        app.MapRunPages();
        // Hangfire's default dashboard filter admits local requests only; sign-in comes with the editor pages.
        app.MapHangfireDashboard("/hangfire");
        return app;
    }
}

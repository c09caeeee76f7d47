using Hangfire;

namespace Digest.App.Web;

internal static class WebSetup
{
    public static IHostApplicationBuilder AddDigestWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        return builder;
    }

    public static WebApplication MapDigestWeb(this WebApplication app)
    {
        app.UseStatusCodePages();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapHomePage();
        app.MapPreview();
        app.MapArticlePages();
        app.MapUnsubscribe();
        app.MapRunPages();
        // Hangfire's default dashboard filter admits local requests only; sign-in comes with the editor pages.
        app.MapHangfireDashboard("/hangfire");
        return app;
    }
}

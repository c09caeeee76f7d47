using Digest.App.Jobs;
using Digest.App.Web.Access;
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
        builder.AddDigestAccess();
        builder.Services.AddSingleton<SignUpService>();
        return builder;
    }

    public static WebApplication MapDigestWeb(this WebApplication app)
    {
        app.MapHealth(); // public: load balancers probe it without signing in
        if (!app.Services.GetRequiredService<IOptions<ProcessOptions>>().Value.ServesWeb)
            return app; // a worker answers health checks only
        app.UseStatusCodePages();
        app.Use(SecurityHeaders);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        WarnWhenNobodyCanSignIn(app);

        app.MapSignIn();
        app.MapArticlePages();
        app.MapArticleApi();
        app.MapUnsubscribe();
        app.MapSubscriberPages();
        app.MapArchive();

        var editors = app.MapGroup("").RequireAuthorization(AccessPolicies.Editor);
        editors.MapHomePage();
        editors.MapPreview();
        editors.MapPreviewPage();
        editors.MapSubscriberAdmin();
        editors.MapRunPages();

        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new DashboardAccess()],
            DisplayStorageConnectionString = false,
            AppPath = "/",
        }).RequireAuthorization(AccessPolicies.Admin);
        return app;
    }

    /// <summary>
    /// No other site may frame Digest's pages (the preview frames are its own), and no page's address is sent on as a
    /// referrer: subscriber links carry their token in the path.
    /// </summary>
    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XFrameOptions = "SAMEORIGIN";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return next();
    }

    private static void WarnWhenNobodyCanSignIn(WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<UsersOptions>>().Value.Count > 0)
            return;
        app.Logger.LogWarning(
            "No users are configured, so nobody can sign in: editor and admin pages answer only requests made on this machine. " +
            "Create an admin with 'dotnet Digest.App.dll users add <name> --role admin' and put what it prints under \"Users\" in appsettings.json");
    }
}

using Digest.App.Api;
using Digest.App.Jobs;
using Digest.App.Web.Access;
using Hangfire;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Digest.App.Web;

internal static class WebSetup
{
    /// <summary>
    /// Every Digest page may load only Digest's own stylesheet and script, and be framed only by Digest; images also
    /// over https, for the articles' pictures the archive shows as the digest did.
    /// </summary>
    private const string PagePolicy =
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'self'; frame-src 'self'";

    /// <summary>The Hangfire dashboard and the API reference are third-party pages that use inline scripts and styles.</summary>
    private const string ToolPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; object-src 'none'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

    public static IHostApplicationBuilder AddDigestWeb(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddOptionsWithValidateOnStart<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.SectionName)).ValidateDataAnnotations();
        builder.AddDigestAccess();
        builder.AddDigestDataProtection();
        builder.AddDigestProxies();
        services.AddDigestRateLimits();
        services.AddRazorPages(options =>
        {
            // Who may open a page follows from its folder: Public/ anyone, Editor/ editors and admins, Admin/ admins.
            options.Conventions.AllowAnonymousToFolder("/Public");
            options.Conventions.AuthorizeFolder("/Editor", AccessPolicies.Editor);
            options.Conventions.AuthorizeFolder("/Admin", AccessPolicies.Admin);
        });
        services.AddOpenApi();
        services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        services.AddSingleton<SignUpService>();
        return builder;
    }

    public static WebApplication MapDigestWeb(this WebApplication app)
    {
        app.MapHealth(); // public: load balancers probe it without signing in
        // Read unvalidated: a bad Process or Security setting is reported, in words, when the host starts.
        if (!(app.Configuration.GetSection(ProcessOptions.SectionName).Get<ProcessOptions>() ?? new ProcessOptions()).ServesWeb)
            return app; // a worker answers health checks only
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any)
            app.UseForwardedHeaders();
        app.UseExceptionHandler("/error/500");
        app.UseHsts(); // only on HTTPS, and never for localhost
        app.Use(SecurityHeaders);
        app.UseWhen(IsApi, api => api.UseStatusCodePages()); // problem details
        app.UseWhen(context => !IsApi(context), pages => pages.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new EmbeddedFileProvider(typeof(WebSetup).Assembly, "Digest.App.wwwroot") });
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        WarnWhenNobodyCanSignIn(app);

        app.MapRazorPages();
        app.MapArticleApi();
        app.MapSubscriberApi();
        app.MapRunApi();
        app.MapFeedbackApi();
        app.MapFeedbackWebhooks();
        app.MapPersonalDataApi();
        app.MapArchiveFeed();
        app.MapGroup("").RequireAuthorization(AccessPolicies.Editor).MapPreview();
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("Digest API").DisableDefaultFonts());

        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new DashboardAccess()],
            DisplayStorageConnectionString = false,
            AppPath = "/",
        }).RequireAuthorization(AccessPolicies.Admin);
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    /// <summary>
    /// A Content-Security-Policy on every answer that does not set its own (the previews do), no framing by other
    /// sites, and no page address sent on as a referrer: subscriber links carry their token in the path.
    /// </summary>
    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        bool tool = context.Request.Path.StartsWithSegments("/hangfire") || context.Request.Path.StartsWithSegments("/scalar");
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            if (!headers.ContainsKey("Content-Security-Policy"))
                headers.ContentSecurityPolicy = tool ? ToolPolicy : PagePolicy;
            headers.XFrameOptions = "SAMEORIGIN";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        return next();
    }

    private static void WarnWhenNobodyCanSignIn(WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<UsersOptions>>().Value.Count > 0)
            return;
        app.Logger.LogWarning(
            "No users are configured, so nobody can sign in: editor and admin pages answer only requests made on this machine, to a loopback address. " +
            "Create an admin with 'dotnet run --project src/Digest.App -- users add <name> --role admin' and put what it prints under \"Users\" in appsettings.json");
    }
}

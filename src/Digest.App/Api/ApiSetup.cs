using Digest.App.Jobs;
using Microsoft.Extensions.Options;

namespace Digest.App.Api;

internal static class ApiSetup
{
    /// <summary>The JSON endpoints of the feedback stage and of subscribers' own data; a worker serves none.</summary>
    public static WebApplication MapDigestApi(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<ProcessOptions>>().Value.ServesWeb)
            return app;
        app.MapFeedbackApi();
        app.MapFeedbackWebhooks();
        app.MapPersonalDataApi();
        return app;
    }
}

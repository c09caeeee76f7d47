using Digest.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace Digest.App.Web.Access;

/// <summary>
/// ASP.NET Core data protection (sign-in cookies, antiforgery tokens) with its key ring in Digest's own store, so
/// every web process on one PostgreSQL database reads the cookies and forms of every other, on any machine, and a
/// restart signs nobody out. Nothing to configure: the store is already shared.
/// </summary>
internal static class DataProtectionSetup
{
    /// <summary>
    /// Every process protects under one name: by default ASP.NET Core isolates applications by their folder, so
    /// processes installed in different folders could not read each other's cookies.
    /// </summary>
    public const string ApplicationName = "Digest";

    public static IHostApplicationBuilder AddDigestDataProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services => new ConfigureOptions<KeyManagementOptions>(
            options => options.XmlRepository = new DatabaseKeyRing(services.GetRequiredService<Database>())));
        return builder;
    }
}

using System.Text.Json;
using Microsoft.Extensions.Configuration.Json;

namespace Digest.App.Settings;

/// <summary>
/// The operator's JSON settings files, reloaded while the service runs as the framework does, except that a file
/// saved with a JSON error is refused: the last good settings stay in force and the refusal is logged naming the line.
/// </summary>
internal static class SettingsFiles
{
    /// <summary>Swaps each reloading JSON source for one that keeps its last good settings.</summary>
    public static void KeepLastGoodOnReload(this IConfigurationBuilder configuration)
    {
        for (int i = 0; i < configuration.Sources.Count; i++)
            if (configuration.Sources[i] is JsonConfigurationSource { ReloadOnChange: true, Path: not null } json and not LastGoodJsonSource)
                configuration.Sources[i] = new LastGoodJsonSource
                {
                    FileProvider = json.FileProvider, Path = json.Path, Optional = json.Optional,
                    ReloadOnChange = true, ReloadDelay = json.ReloadDelay,
                };
    }

    /// <summary>"line 5: '"' is invalid after a value …", the line counted from 1 as editors show it.</summary>
    public static string Describe(JsonException json)
    {
        string reason = json.Message;
        int position = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (position > 0)
            reason = reason[..position];
        reason = reason.TrimEnd('.');
        return json.LineNumber is { } line ? $"line {line + 1} is not valid JSON: {reason}" : $"not valid JSON: {reason}";
    }
}

internal sealed class LastGoodJsonSource : JsonConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new LastGoodJsonProvider(this);
    }
}

internal sealed class LastGoodJsonProvider(LastGoodJsonSource source) : JsonConfigurationProvider(source)
{
    private bool _loaded;

    /// <summary>Raised with the file and the reason when a reload is refused.</summary>
    public event Action<string, string>? Refused;

    public override void Load(Stream stream)
    {
        try
        {
            base.Load(stream);
            _loaded = true;
        }
        catch (FormatException error) when (_loaded && error.InnerException is JsonException json)
        {
            // The first load throws (the service cannot start without its settings); a later one keeps Data as it was.
            Refused?.Invoke(source.Path ?? "appsettings.json", SettingsFiles.Describe(json));
        }
    }
}

/// <summary>Logs each refused reload of a settings file, once, naming the line.</summary>
internal sealed class SettingsReloadLog(IConfiguration configuration, ILogger<SettingsReloadLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration is IConfigurationRoot root)
            foreach (var provider in root.Providers.OfType<LastGoodJsonProvider>())
                provider.Refused += (file, reason) => logger.LogError(
                    "Settings file {File} was saved with an error and is refused: {Reason}. The last good settings stay in force until it is fixed",
                    file, reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

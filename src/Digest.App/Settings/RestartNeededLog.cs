using Microsoft.Extensions.Primitives;

namespace Digest.App.Settings;

/// <summary>
/// Says so when a settings file is saved with changes the running service does not pick up. Editions, feeds, users,
/// feedback, logging and allowed host names apply at once; everything else (relays, storage, proxies, the public
/// address …) is read at start, and an operator who edits it would otherwise wonder why nothing changed. Names the
/// changed settings, never their values (passwords live there).
/// </summary>
internal sealed class RestartNeededLog(IConfiguration configuration, ILogger<RestartNeededLog> logger) : IHostedService, IDisposable
{
    /// <summary>Top-level sections the service follows while it runs (each through an options monitor).</summary>
    private static readonly HashSet<string> Live = new(StringComparer.OrdinalIgnoreCase)
    {
        "Editions", "Feeds", "Users", "Feedback", "Logging", "AllowedHosts",
    };

    private Dictionary<string, string?> _atStart = [];
    private string _lastReported = "";
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _atStart = ReadStartOnly();
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Compare);
        return Task.CompletedTask;
    }

    private void Compare()
    {
        var now = ReadStartOnly();
        var changed = now.Keys.Union(_atStart.Keys, StringComparer.OrdinalIgnoreCase)
            .Where(key => !string.Equals(now.GetValueOrDefault(key), _atStart.GetValueOrDefault(key), StringComparison.Ordinal))
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        string report = string.Join(", ", changed);
        // A file watcher raises one save several times: each set of differences is said once.
        if (report == _lastReported)
            return;
        _lastReported = report;
        if (changed.Count > 0)
            logger.LogWarning(
                "Settings changed since start take effect only after a restart: {Settings}. (Editions, feeds, users, feedback and logging apply at once.)",
                report);
    }

    private Dictionary<string, string?> ReadStartOnly() => configuration.AsEnumerable()
        .Where(pair => pair.Value is not null && !Live.Contains(pair.Key.Split(':')[0]))
        .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();
}

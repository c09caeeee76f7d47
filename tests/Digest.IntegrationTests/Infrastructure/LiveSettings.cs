using Microsoft.Extensions.Configuration;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// Settings a test replaces while the host runs, as an operator edits appsettings.json: the host's options see the
/// new values at once (the same reload a changed file causes).
/// </summary>
public sealed class LiveSettings(IDictionary<string, string?> initial) : ConfigurationProvider, IConfigurationSource
{
    public override void Load() => Data = new Dictionary<string, string?>(initial, StringComparer.OrdinalIgnoreCase);

    public void Replace(IDictionary<string, string?> settings)
    {
        Data = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        OnReload();
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
}

using System.Text;
using RazorLight.Razor;

namespace Digest.Rendering;

/// <summary>
/// The templates as they were when the service started. RazorLight's own file-system project watches the files
/// and recompiles a template edited on disk, so an edit (or a half-saved file) would change or break digests in
/// the middle of a run; editors see template changes after a restart instead.
/// </summary>
internal sealed class TemplateSnapshot : RazorLightProject
{
    private readonly Dictionary<string, string> _templates;

    public TemplateSnapshot(string folder)
    {
        _templates = Directory.EnumerateFiles(folder, "*.cshtml", SearchOption.AllDirectories)
            .ToDictionary(file => Path.GetRelativePath(folder, file).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
    }

    /// <summary>Every template's key (its path under the templates folder), in a stable order.</summary>
    public IEnumerable<string> Keys => _templates.Keys.Order(StringComparer.Ordinal);

    public override Task<RazorLightProjectItem> GetItemAsync(string templateKey) =>
        Task.FromResult<RazorLightProjectItem>(new Item(templateKey, _templates.GetValueOrDefault(templateKey.TrimStart('/'))));

    public override Task<IEnumerable<RazorLightProjectItem>> GetImportsAsync(string templateKey) =>
        Task.FromResult(Enumerable.Empty<RazorLightProjectItem>());

    public override Task<IEnumerable<string>> GetKnownKeysAsync() => Task.FromResult(Keys);

    /// <summary>A template's text, with no expiration token: once compiled, it stays compiled.</summary>
    private sealed class Item(string key, string? content) : RazorLightProjectItem
    {
        public override string Key => key;

        public override bool Exists => content is not null;

        public override Stream Read() => new MemoryStream(Encoding.UTF8.GetBytes(content ?? ""));
    }
}

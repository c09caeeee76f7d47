using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RazorLight;
using RazorLight.Compilation;
using RazorLight.Generation;

namespace Digest.Rendering;

/// <summary>
/// Renders the digest templates with one RazorLight engine. Every template is compiled once, when the service
/// starts (<see cref="WarmAsync"/>), so a broken template stops start-up instead of a run, and compiled
/// templates are kept for the life of the process.
/// </summary>
public sealed class RazorDigestRenderer : IDigestRenderer
{
    public const string HtmlTemplate = "digest.html.cshtml";
    public const string TextTemplate = "digest.text.cshtml";

    private readonly RazorLightEngine _engine;
    private readonly TemplateSnapshot _templates;

    public RazorDigestRenderer(IOptions<RenderingOptions> options, IHostEnvironment environment)
    {
        TemplatesPath = Path.GetFullPath(options.Value.TemplatesPath, environment.ContentRootPath);
        if (!Directory.Exists(TemplatesPath))
            throw new TemplateException($"Rendering:TemplatesPath: the templates folder '{TemplatesPath}' does not exist");
        _templates = new TemplateSnapshot(TemplatesPath);
        _engine = new RazorLightEngineBuilder()
            .UseProject(_templates)
            .SetOperatingAssembly(typeof(DigestView).Assembly)
            .UseMemoryCachingProvider()
            .Build();
    }

    public string TemplatesPath { get; }

    /// <summary>Compiles every template (partials and layouts included) so the first run pays nothing.</summary>
    public async Task WarmAsync()
    {
        foreach (string key in _templates.Keys)
        {
            string file = Path.Combine(TemplatesPath, key);
            try
            {
                await _engine.CompileTemplateAsync(key);
            }
            catch (TemplateCompilationException error)
            {
                throw Broken(file, error.CompilationDiagnostics.Select(d => (d.LineSpan is { } span ? span.StartLinePosition.Line + 1 : 0, d.ErrorMessage)));
            }
            catch (TemplateGenerationException error)
            {
                throw Broken(file, error.Diagnostics.Select(d => (d.Span.LineIndex + 1, d.GetMessage(CultureInfo.InvariantCulture))));
            }
        }
    }

    /// <summary>
    /// Names the template file and each problem's line in it. Razor maps compiler errors back to the .cshtml
    /// line, so the line is the one an editor shows.
    /// </summary>
    private static TemplateException Broken(string file, IEnumerable<(int Line, string Message)> problems) =>
        new($"Template {file} does not compile:" + string.Concat(problems
            .Select(p => $"{Environment.NewLine}  {file}{(p.Line > 0 ? $", line {p.Line}" : "")}: {p.Message}")));

    public async Task<RenderedDigest> RenderAsync(DigestView view)
    {
        string html = await _engine.CompileRenderAsync(HtmlTemplate, view);
        string text = await _engine.CompileRenderAsync(TextTemplate, view);
        return new RenderedDigest(html, NormaliseText(text));
    }

    /// <summary>Razor leaves the blank lines of its code blocks behind; a text email wants at most one in a row.</summary>
    private static string NormaliseText(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd());
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length == 0 && (kept.Count == 0 || kept[^1].Length == 0))
                continue;
            kept.Add(line);
        }
        return string.Join("\r\n", kept).TrimEnd() + "\r\n";
    }
}

public sealed class TemplateException(string message) : Exception(message);

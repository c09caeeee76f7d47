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
    public const string GreetingHtmlTemplate = "_greeting.html.cshtml";
    public const string GreetingTextTemplate = "_greeting.text.cshtml";
    public const string FooterHtmlTemplate = "_footer.html.cshtml";
    public const string FooterTextTemplate = "_footer.text.cshtml";

    /// <summary>The templates a digest is made of: the body, once per run, and the reader's partials, once per copy.</summary>
    public static readonly IReadOnlyList<string> Required = [HtmlTemplate, TextTemplate, GreetingHtmlTemplate, GreetingTextTemplate, FooterHtmlTemplate, FooterTextTemplate];

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

    /// <summary>
    /// Compiles every template (partials and layouts included) so the first run pays nothing, and checks the body
    /// templates' slots (<see cref="CheckSlotsAsync"/>).
    /// </summary>
    public async Task WarmAsync()
    {
        if (Required.FirstOrDefault(key => !_templates.Keys.Contains(key, StringComparer.Ordinal)) is { } missing)
            throw new TemplateException($"Template {Path.Combine(TemplatesPath, missing)} is missing: a digest is made of {string.Join(", ", Required)}");
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
        await CheckSlotsAsync();
    }

    /// <summary>
    /// Names the template file and each problem's line in it. Razor maps compiler errors back to the .cshtml
    /// line, so the line is the one an editor shows.
    /// </summary>
    private static TemplateException Broken(string file, IEnumerable<(int Line, string Message)> problems) =>
        new($"Template {file} does not compile:" + string.Concat(problems
            .Select(p => $"{Environment.NewLine}  {file}{(p.Line > 0 ? $", line {p.Line}" : "")}: {p.Message}")));

    public async Task<RenderedBody> RenderBodyAsync(DigestView view)
    {
        string html = await _engine.CompileRenderAsync(HtmlTemplate, view);
        string text = await _engine.CompileRenderAsync(TextTemplate, view);
        return RenderedBody.Cut(html, Path.Combine(TemplatesPath, HtmlTemplate), text, Path.Combine(TemplatesPath, TextTemplate));
    }

    public async Task<RenderedRecipient> RenderRecipientAsync(RecipientView recipient) => new(
        RenderedRecipient.HtmlLines(await _engine.CompileRenderAsync(GreetingHtmlTemplate, recipient)),
        RenderedRecipient.HtmlLines(await _engine.CompileRenderAsync(FooterHtmlTemplate, recipient)),
        TextBlock.From(await _engine.CompileRenderAsync(GreetingTextTemplate, recipient)),
        TextBlock.From(await _engine.CompileRenderAsync(FooterTextTemplate, recipient)));

    /// <summary>
    /// Renders the body templates for sample digests (with entries, links and a note; with nothing) and the partials
    /// for sample readers: a slot that is missing, shown twice, changed or not alone on its line stops start-up with
    /// the template's file, not a run.
    /// </summary>
    private async Task CheckSlotsAsync()
    {
        var labels = new DigestLabels(CultureInfo.InvariantCulture, "en", "d", "d", "d", "Hello {0},", "No news", "More", "and {0} more",
            "{0} more", "Read: {0}", "Read", "Preferences", "Unsubscribe", "{0} subscribed to {1}.", "Other");
        var article = new ArticleView("Headline", "1 Jan", ["A highlight"], null, "https://example.org/a", new ImageView("https://example.org/a.png", "Alt"), "Section");
        var full = new DigestView(labels, "sample", "Sample", "1 Jan", "Subject", "Preheader", new NoteView("<p>Note</p>", "Note"),
            [article, article with { Highlights = [], Lead = "Lead", Image = null, Section = null }], [new ArticleLink("Link", "https://example.org/b")], 3,
            "https://example.org/archive", "Sender line");
        foreach (var view in new[] { full, full with { Note = null, Articles = [], MoreArticles = [], MoreCount = 0, SenderLine = "" } })
            await RenderBodyAsync(view);
        foreach (string name in new[] { "Ana", "" })
            await RenderRecipientAsync(new RecipientView(labels, "Sample", name, "ana@example.org", "Reason", "https://example.org/u", "https://example.org/p", "Sender line"));
    }
}

public sealed class TemplateException(string message) : Exception(message);

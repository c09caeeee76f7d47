using Digest.Rendering;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Digest.Tests.Email;

public sealed class TemplateStartupTests : IDisposable
{
    private readonly string _templates = Path.Combine(Path.GetTempPath(), $"digest-templates-{Guid.NewGuid():N}");

    public TemplateStartupTests()
    {
        Directory.CreateDirectory(_templates);
        foreach (string file in Directory.GetFiles(EmailSamples.TemplatesPath))
            File.Copy(file, Path.Combine(_templates, Path.GetFileName(file)));
    }

    private RazorDigestRenderer Renderer() => new(
        Options.Create(new RenderingOptions { TemplatesPath = _templates }),
        new HostingEnvironment { ContentRootPath = _templates });

    /// <summary>Replaces one line (1-based) of a template in the scratch copy.</summary>
    private void Break(string template, int line, string text)
    {
        string path = Path.Combine(_templates, template);
        var lines = File.ReadAllLines(path);
        lines[line - 1] = text;
        File.WriteAllLines(path, lines);
    }

    [Fact]
    public async Task Warm_TemplateUsingAMissingProperty_StopsNamingFileAndLine()
    {
        Break("_article.html.cshtml", 6, "<p>@Model.Byline</p>");

        var error = await Assert.ThrowsAsync<TemplateException>(() => Renderer().WarmAsync());

        Assert.Contains(Path.Combine(_templates, "_article.html.cshtml"), error.Message);
        Assert.Contains("line 6", error.Message);
        Assert.Contains("Byline", error.Message);
    }

    [Fact]
    public async Task Warm_TemplateWithUnclosedCodeBlock_StopsNamingFileAndLine()
    {
        Break("digest.text.cshtml", 5, "@if (true) {");

        var error = await Assert.ThrowsAsync<TemplateException>(() => Renderer().WarmAsync());

        Assert.Contains(Path.Combine(_templates, "digest.text.cshtml"), error.Message);
        Assert.Matches(@"line \d+", error.Message);
    }

    [Theory]
    [InlineData("digest.html.cshtml", "@Model.Recipient.Greeting\n", "", "@Model.Recipient.Greeting is missing")]
    [InlineData("digest.text.cshtml", "@Model.Recipient.Footer\n", "", "@Model.Recipient.Footer is missing")]
    [InlineData("digest.html.cshtml", "@Model.Recipient.Footer\n", "@Model.Recipient.Footer\n@Model.Recipient.Footer\n", "@Model.Recipient.Footer is shown more than once")]
    [InlineData("digest.text.cshtml", "@Model.Recipient.Greeting\n", "@Model.Recipient.Greeting\n@if (Model.Articles.Count > 0)\n{\n@:@Model.Recipient.Greeting\n}\n", "@Model.Recipient.Greeting is shown more than once")]
    [InlineData("digest.html.cshtml", "@Model.Recipient.Greeting\n", "<p>@Model.Recipient.Greeting</p>\n", "@Model.Recipient.Greeting must stand on a line of its own")]
    [InlineData("digest.text.cshtml", "@Model.Recipient.Greeting\n", "@Model.Recipient.Greeting.ToString().ToLowerInvariant()\n", "@Model.Recipient.Greeting is missing")]
    [InlineData("digest.html.cshtml", "@Model.Recipient.Footer\n", "@Model.Recipient.Footer.ToString().Replace(\"Footer\", \"\")\n", "was changed by the template")]
    public async Task Warm_BodyTemplateWithASlotMissingRepeatedOrChanged_StopsNamingTheFileAndTheSlot(string template, string slot, string replacement, string problem)
    {
        string path = Path.Combine(_templates, template);
        string text = File.ReadAllText(path);
        Assert.Contains(slot, text);
        File.WriteAllText(path, text.Replace(slot, replacement));

        var error = await Assert.ThrowsAsync<TemplateException>(() => Renderer().WarmAsync());

        Assert.Contains($"Template {path}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public async Task Warm_PartialTemplateMissing_StopsNamingIt()
    {
        File.Delete(Path.Combine(_templates, "_footer.text.cshtml"));

        var error = await Assert.ThrowsAsync<TemplateException>(() => Renderer().WarmAsync());

        Assert.Contains($"Template {Path.Combine(_templates, "_footer.text.cshtml")} is missing", error.Message);
    }

    [Fact]
    public async Task Render_AfterStart_UsesTheTemplatesCompiledThen_EvenIfTheFilesChange()
    {
        var renderer = Renderer();
        await renderer.WarmAsync();
        using var samples = new EmailSamples();
        var view = await samples.ComposeAsync(EmailSamples.Articles(1));
        var before = await renderer.RenderAsync(view);

        Break("digest.text.cshtml", 3, "@Model.EditionTitle EDITED");
        await Task.Delay(300); // time for a file watcher, were there one, to notice the edit
        var after = await renderer.RenderAsync(view);

        Assert.Equal(before, after);
    }

    public void Dispose() => Directory.Delete(_templates, recursive: true);
}

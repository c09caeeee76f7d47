namespace Digest.Rendering;

/// <summary>The "Rendering" section.</summary>
public sealed class RenderingOptions
{
    public const string SectionName = "Rendering";

    /// <summary>Folder of the Razor templates; relative to the content root.</summary>
    public string TemplatesPath { get; set; } = "templates";
}

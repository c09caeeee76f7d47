namespace Digest.App.Web;

/// <summary>Quoting what someone sent back to them: cut short, so an answer never grows with the input.</summary>
public static class Echo
{
    public static string Short(string? text, int max = 40) => text is null ? "" : text.Length > max ? text[..max] + "…" : text;
}

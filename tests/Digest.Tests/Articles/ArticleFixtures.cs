namespace Digest.Tests.Articles;

/// <summary>The fixture article files copied next to the test assembly.</summary>
internal static class ArticleFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Every fixture that must parse into an article.</summary>
    public static IEnumerable<string> Valid => Directory.EnumerateFiles(Folder, "*.txt")
        .Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith("reject-", StringComparison.Ordinal)).Order();

    public static IEnumerable<string> All => Directory.EnumerateFiles(Folder).Select(Path.GetFileName).OfType<string>()
        .Where(n => !n.StartsWith('.')).Order();
}

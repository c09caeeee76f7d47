namespace Digest.Tests.Articles;

/// <summary>The fixture article files copied next to the test assembly.</summary>
internal static class ArticleFixtures
{
    /// <summary>The names of every fixture article (valid, quirky and broken): seeds for the fuzz tests.</summary>
    public static IEnumerable<string> All => Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles"))
        .Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order();
}

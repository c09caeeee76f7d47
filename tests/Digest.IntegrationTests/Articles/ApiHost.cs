using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Articles;

/// <summary>The real host with the article API switched on, clients that carry its key, and fixture bodies to post.</summary>
internal static class ApiHost
{
    public const string Key = "k3y-for-tests-only";

    public static DigestTestHost Start(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Api:Key"] = Key };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
            all[name] = value;
        return new DigestTestHost(all);
    }

    public static HttpClient Client(DigestTestHost host, string? key = Key)
    {
        var client = host.CreateClient();
        if (key is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public static string FixturePath(string folder, string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, name);

    public static HttpContent Text(string article) =>
        new ByteArrayContent(File.ReadAllBytes(FixturePath("articles", article))) { Headers = { ContentType = new("text/plain") { CharSet = "utf-8" } } };

    public static HttpContent Json(string fixture) =>
        new ByteArrayContent(File.ReadAllBytes(FixturePath("api", fixture))) { Headers = { ContentType = new("application/json") } };
}

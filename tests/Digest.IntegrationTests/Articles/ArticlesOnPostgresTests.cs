using System.Net;
using Digest.Articles;
using Digest.Articles.Feeds;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Articles;

/// <summary>Dedupe, the editors' list and feed state on a real PostgreSQL cluster: the same SQL as on SQLite.</summary>
public sealed class ArticlesOnPostgresTests : IAsyncLifetime
{
    private PostgresCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Api_OnPostgres_RecognisesDuplicatesByContentAndUrl_AndTheListAndFeedStateWork()
    {
        using var host = ApiHost.Start(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await _cluster.CreateDatabaseAsync(),
            ["Feeds:AllowPrivateNetworks"] = "true", // the test feed is on loopback
            ["Feeds:0:Name"] = "closed",
            ["Feeds:0:Url"] = $"http://127.0.0.1:{FreePort.Next()}/feed.rss",
        });
        using var client = ApiHost.Client(host);

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/articles", ApiHost.Text("solar.txt"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/articles", ApiHost.Json("solar.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/articles", ApiHost.Json("ferry.json"))).StatusCode);
        var edited = await client.PostAsync("/api/articles", ApiHost.Json("ferry-edited.json"));
        var poller = host.Get<FeedPoller>();
        await poller.PollAsync("closed");
        await poller.PollAsync("closed");

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Contains("\"matchedBy\":\"url\"", await edited.Content.ReadAsStringAsync());
        Assert.Equal(2, (await host.Get<ArticleStore>().ListWithRunsAsync(10)).Count);
        Assert.InRange((await poller.ListStatusAsync()).Single().Failures, 2, 3); // the minutely feed job may have tried too
        Assert.Contains("Electric Ferry Starts Crossing the Bay", await client.GetStringAsync("/articles"));
        var ferry = (await host.Get<ArticleStore>().ListRecentAsync(10)).Single(a => a.Content.Headline == "Electric Ferry Starts Crossing the Bay");
        Assert.Equal(new ArticleImage("https://news.example.org/img/ferry.jpg", "The electric ferry at its charging berth"), ferry.Content.Image);
    }

    [Fact]
    public async Task Add_TheSameStoryFromManyWritersAtOnce_OnPostgres_StoresItOnce_AndEveryoneGetsItsId()
    {
        using var host = ApiHost.Start(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await _cluster.CreateDatabaseAsync(),
        });
        _ = host.Server; // schema
        var story = ArticleParser.Parse(File.ReadAllBytes(ApiHost.FixturePath("articles", "solar.txt"))).Article!;
        var store = host.Get<ArticleStore>();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => store.AddAsync(story, new ArticleOrigin($"writer-{i}")))));

        Assert.Single(results, r => !r.Duplicate);
        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Single(await store.ListRecentAsync(10));
    }
}

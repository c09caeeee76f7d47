using System.Net;
using Digest.Articles.Feeds;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Articles;

/// <summary>The public article page and the editors' list, served by the real host.</summary>
public sealed class ArticlePagesTests
{
    private static async Task<string> PostAsync(HttpClient client, HttpContent content)
    {
        var response = await client.PostAsync("/api/articles", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.PathAndQuery;
    }

    [Fact]
    public async Task ArticlePage_ShowsTheFullRewrittenText_WithSectionHeadingsAndTheAnalysis()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);
        string page = await client.GetStringAsync(await PostAsync(client, ApiHost.Text("solar.txt")));

        Assert.Contains("<h1>Harbour City Opens Its First Floating Solar Farm</h1>", page);
        Assert.Contains("Published 9 August 2025", page);
        Assert.Contains("<li>Shading from the panels is expected to slow evaporation and algae growth in summer.</li>", page);
        Assert.Contains("<h2>A Reservoir Put Back to Work</h2>", page);
        Assert.Contains("<p>Harbour City switched on its first floating solar farm on Friday", page);
        Assert.Matches(@"<h2>What this might mean</h2>\s*<p>If the array performs as promised", page);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page, "Harbour City switched on"));
    }

    [Fact]
    public async Task ArticlePage_EncodesEveryArticleString_AndLinksTheOriginalStory()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);
        string page = await client.GetStringAsync(await PostAsync(client, ApiHost.Json("unsafe-headline.json")));

        Assert.DoesNotContain("<script>alert", page);
        Assert.DoesNotContain("<b>bold</b>", page);
        Assert.Contains("&lt;script&gt;", page);
        Assert.Contains("""<a href="https://news.example.org/unsafe" rel="noopener nofollow">original story</a>""", page);
    }

    [Fact]
    public async Task ArticlePage_ForAnUnknownSlug_Is404()
    {
        using var host = ApiHost.Start();
        using var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/articles/2026-01-01-nothing-here")).StatusCode);
    }

    [Fact]
    public async Task ArticleList_ShowsNewestFirst_WithSource_TheRunsThatIncludedEach_AndFailingFeeds()
    {
        using var host = ApiHost.Start(new Dictionary<string, string?>
        {
            ["Feeds:AllowPrivateNetworks"] = "true", // the test feed is on loopback
            ["Feeds:0:Name"] = "closed",
            ["Feeds:0:Url"] = $"http://127.0.0.1:{FreePort.Next()}/feed.rss", // nothing listens there
            ["Feeds:0:PollEvery"] = "01:00:00",
        });
        using var client = ApiHost.Client(host);
        await PostAsync(client, ApiHost.Text("solar.txt"));
        await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        await PostAsync(client, ApiHost.Json("ferry.json"));
        await host.Get<FeedPoller>().PollAsync("closed");

        string list = await client.GetStringAsync("/articles");

        int ferry = list.IndexOf("Electric Ferry Starts Crossing the Bay", StringComparison.Ordinal);
        int solar = list.IndexOf("Harbour City Opens Its First Floating Solar Farm", StringComparison.Ordinal);
        Assert.True(ferry > 0 && solar > ferry, "the newest article comes first");
        Assert.Contains("waiting for the next digest", list[ferry..solar]);
        Assert.Matches(@"in daily of \d+ \w+ \d{4} \d\d:\d\d UTC", list[solar..]);
        Assert.Contains("<td>api</td>", list);
        Assert.Matches(@"failing \(\d in a row\): could not fetch it \(ConnectionError\)", list); // the minutely feed job may have tried too
    }
}

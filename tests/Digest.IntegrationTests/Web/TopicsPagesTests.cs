using System.Net;
using System.Text.Json;
using Digest.Articles;
using Digest.IntegrationTests.Articles;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Web;

/// <summary>Topics through the web: the API's JSON, an editor's change of an article's topics, a reader's choice on the preferences page.</summary>
public sealed class TopicsPagesTests
{
    [Fact]
    public async Task ApiJson_TopicsBecomeTheArticlesTopics_AndABadOneIsRefusedNamingTheFieldAndLine()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);

        var created = await client.PostAsync("/api/articles", ApiHost.Json("wind-topics.json"));
        var refused = await client.PostAsync("/api/articles", ApiHost.Json("bad-topics.json"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var stored = await host.Get<ArticleStore>().ListRecentAsync(10);
        Assert.Equal(["energy", "climate"], Assert.Single(stored).Content.Topics);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = Assert.Single(JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("problems").EnumerateArray());
        Assert.Equal(5, problem.GetProperty("line").GetInt32());
        Assert.StartsWith("topics: the topic 'a topic that is much", problem.GetProperty("message").GetString());
        host.Errors.AssertNone();
    }

    [Fact]
    public async Task Inbox_TopicsLine_BecomesTheArticlesTopics_AndABadOneIsRejectedBesideAFileNamingTheLine()
    {
        using var host = new DigestTestHost();
        await host.DropArticleAsync("topics-wind.txt");
        File.Copy(ApiHost.FixturePath("articles", "topics-bad.txt"), Path.Combine(host.InboxPath, "topics-bad.txt"));
        string error = Path.Combine(host.InboxPath, "rejected", "topics-bad.txt.error.txt");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!File.Exists(error) && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        Assert.Equal(["energy", "climate"], Assert.Single(await host.Get<ArticleStore>().ListRecentAsync(10)).Content.Topics);
        Assert.True(File.Exists(error), "the file with a bad Topics line was not set aside");
        Assert.Contains("line 3: Topics: the topic 'this topic is far lo…' is 53 characters, over the limit of 40", await File.ReadAllTextAsync(error));
    }

    [Fact]
    public async Task EditorPage_ChangesAnArticlesTopics_WithAntiforgery_AndRefusesABadOneSayingWhy()
    {
        using var host = new DigestTestHost(WebForms.Users());
        using var client = WebForms.Client(host);
        Assert.Equal(HttpStatusCode.Redirect, (await WebForms.SignInAsync(client, "erin", WebForms.EditorPassword)).StatusCode);
        await host.DropArticleAsync("topics-tram.txt");
        var article = Assert.Single(await host.Get<ArticleStore>().ListRecentAsync(10));
        string page = $"/articles/{article.Id}";

        var forged = await client.PostAsync($"{page}/Topics", new FormUrlEncodedContent([new("topics", "forged")]));
        var saved = await WebForms.PostFormAsync(client, page, $"{page}/Topics", [new("topics", "Transport, City  Hall, transport")]);
        var afterSave = (await host.Get<ArticleStore>().FindBySlugAsync(article.Slug))!.Content.Topics;
        var refused = await WebForms.PostFormAsync(client, page, $"{page}/Topics", [new("topics", "transport, line\u0001break")]);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(["transport", "city hall"], afterSave);
        Assert.Contains("value=\"transport, city hall\"", await client.GetStringAsync(page));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Not saved: Topics: the topic", await refused.Content.ReadAsStringAsync());
        Assert.Equal(["transport", "city hall"], (await host.Get<ArticleStore>().FindBySlugAsync(article.Slug))!.Content.Topics);
        host.Errors.AssertNone();
    }

    [Fact]
    public async Task PreferencesPage_SavesTheReadersTopics_WithAntiforgery_AndNoneTickedMeansEverything()
    {
        using var host = new DigestTestHost();
        using var client = WebForms.Client(host);
        await host.DropArticleAsync("topics-ferry.txt");
        await host.DropArticleAsync("topics-wind.txt");
        var store = host.Get<SubscriberStore>();
        var ana = await store.AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        string page = new Uri(host.Get<SubscriberLinks>().PreferencesUrl(ana.Id)).AbsolutePath;

        string offered = await client.GetStringAsync(page);
        var forged = await client.PostAsync(page, new FormUrlEncodedContent([new("editions", "daily"), new("topics", "energy"), new("action", "save")]));
        var saved = await WebForms.PostFormAsync(client, page, page, [new("editions", "daily"), new("topics", "energy"), new("topics", "Climate"), new("action", "save")]);
        var chosen = await store.TopicsAsync(ana.Id);
        await WebForms.PostFormAsync(client, page, page, [new("editions", "daily"), new("action", "save")]);

        Assert.All(["energy", "transport", "climate"], topic => Assert.Contains($"value=\"{topic}\"", offered));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("value=\"energy\" checked", await saved.Content.ReadAsStringAsync());
        Assert.Equal(["energy", "climate"], chosen);
        Assert.Empty(await store.TopicsAsync(ana.Id));
        Assert.True(await store.IsSubscribedAsync(ana.Id, "daily"));
        host.Errors.AssertNone();
    }

    [Fact]
    public async Task SignUpApi_PreselectedTopics_AreTheNewReadersChoice()
    {
        using var host = ApiHost.Start();
        using var client = host.CreateClient();

        var response = await client.PostAsync("/api/subscribers", new StringContent(
            """{"email": "ben@example.com", "name": "Ben", "editions": ["daily"], "topics": ["Energy", "transport"]}""",
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ben = Assert.Single(await host.Get<SubscriberStore>().ListAsync());
        Assert.Equal(["energy", "transport"], await host.Get<SubscriberStore>().TopicsAsync(ben.Id));
    }
}

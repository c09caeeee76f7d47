using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Articles;

/// <summary>POST /api/articles through the real host's HTTP pipeline.</summary>
public sealed class ArticleApiTests
{
    private static async Task<JsonElement> BodyOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Post_TextArticle_Returns201WithItsIdAndPage_AndThePageShowsTheFullText()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);

        var response = await client.PostAsync("/api/articles", ApiHost.Text("solar.txt"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await BodyOf(response);
        string url = body.GetProperty("url").GetString()!;
        Assert.Equal("https://digest.example.org/articles/2025-08-09-harbour-city-opens-its-first-floating-solar-farm", url);
        Assert.Equal(url, response.Headers.Location?.ToString());
        Assert.True(body.GetProperty("id").GetInt64() > 0);
        Assert.False(body.GetProperty("duplicate").GetBoolean());

        string page = await client.GetStringAsync(new Uri(url).PathAndQuery);
        Assert.Contains("Harbour City Opens Its First Floating Solar Farm", page);
        Assert.Contains("The reservoir had not supplied drinking water since the 1990s.", page);
        Assert.Contains("If the array performs as promised", page);
    }

    [Fact]
    public async Task Post_TheSameStoryAsJson_Returns200WithTheExistingArticle_RecognisedByItsContent()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);
        var first = await BodyOf(await client.PostAsync("/api/articles", ApiHost.Text("solar.txt")));

        var response = await client.PostAsync("/api/articles", ApiHost.Json("solar.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await BodyOf(response);
        Assert.Equal(first.GetProperty("id").GetInt64(), body.GetProperty("id").GetInt64());
        Assert.True(body.GetProperty("duplicate").GetBoolean());
        Assert.Equal("content", body.GetProperty("matchedBy").GetString());
        Assert.Contains($"a duplicate of article {first.GetProperty("id").GetInt64()}", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Post_AnEditedStoryAtTheSameUrl_IsADuplicateRecognisedByItsUrl()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);
        var created = await client.PostAsync("/api/articles", ApiHost.Json("ferry.json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var response = await client.PostAsync("/api/articles", ApiHost.Json("ferry-edited.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await BodyOf(response);
        Assert.Equal((await BodyOf(created)).GetProperty("id").GetInt64(), body.GetProperty("id").GetInt64());
        Assert.Equal("url", body.GetProperty("matchedBy").GetString());
    }

    [Theory]
    [InlineData("bad-date.json", 3, "publishedAt: cannot read the date 'the ninth of Augtober'")]
    [InlineData("wrong-type.json", 5, "highlights: must be an array of strings")]
    [InlineData("broken.json", 4, "not valid JSON")]
    [InlineData("no-headline.json", 0, "headline: required")]
    [InlineData("no-headline.json", 4, "url: 'ftp://files.example.org/market' is not an absolute http(s) address")]
    [InlineData("image-javascript.json", 5, "image: 'javascript:alert(document.cookie)' is not an absolute http(s) address")]
    public async Task Post_BadJson_Returns422NamingTheLineAndTheProblem(string fixture, int line, string message)
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);

        var response = await client.PostAsync("/api/articles", ApiHost.Json(fixture));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problems = (await BodyOf(response)).GetProperty("problems").EnumerateArray()
            .Select(p => (Line: p.GetProperty("line").GetInt32(), Message: p.GetProperty("message").GetString()!)).ToList();
        Assert.Contains(problems, p => p.Line == line && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_BadTextArticle_Returns422WithTheParsersLineNumberedProblem()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);

        var response = await client.PostAsync("/api/articles",
            new StringContent("Market Day Moves to Saturday\nPublished someday\n- It moves.\n", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = Assert.Single((await BodyOf(response)).GetProperty("problems").EnumerateArray());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.Contains("cannot read the date 'someday'", problem.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Post_OverTheSizeLimit_Returns413_WithOrWithoutAContentLength()
    {
        using var host = ApiHost.Start(new Dictionary<string, string?> { ["Api:MaxArticleBytes"] = "1500" });
        using var client = ApiHost.Client(host);

        var declared = await client.PostAsync("/api/articles", ApiHost.Text("solar.txt"));
        var chunked = await client.PostAsync("/api/articles",
            new StreamContent(File.OpenRead(ApiHost.FixturePath("articles", "solar.txt"))) { Headers = { ContentType = new("text/plain") } });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("over the limit of 1,500 bytes", (await BodyOf(declared)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
    }

    [Fact]
    public async Task Post_WithoutTheRightKey_Returns401_AndStoresNothing()
    {
        using var host = ApiHost.Start();
        using var anonymous = ApiHost.Client(host, key: null);
        using var wrong = ApiHost.Client(host, key: "guess");
        using var bearer = ApiHost.Client(host, key: null);
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiHost.Key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/articles", ApiHost.Text("solar.txt"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsync("/api/articles", ApiHost.Text("solar.txt"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/articles/2025-08-09-harbour-city-opens-its-first-floating-solar-farm")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await bearer.PostAsync("/api/articles", ApiHost.Text("solar.txt"))).StatusCode);
    }

    [Fact]
    public async Task Post_WhenNoKeyIsConfigured_Returns401ExplainingHowToSetIt()
    {
        using var host = ApiHost.Start(new Dictionary<string, string?> { ["Api:Key"] = "" });
        using var client = ApiHost.Client(host, key: "anything");

        var response = await client.PostAsync("/api/articles", ApiHost.Text("solar.txt"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Api__Key", (await BodyOf(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Post_AnUnsupportedContentType_Returns415()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);

        var response = await client.PostAsync("/api/articles", new StringContent("<article/>", Encoding.UTF8, "application/xml"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Post_ArbitraryBytes_NeverAnswersWithAServerError()
    {
        using var host = ApiHost.Start();
        using var client = ApiHost.Client(host);
        var random = new Random(7);
        byte[] json = File.ReadAllBytes(ApiHost.FixturePath("api", "solar.json"));
        string[] types = ["text/plain", "application/json", "application/problem+json", "text/plain; charset=latin1"];

        for (int i = 0; i < 60; i++)
        {
            byte[] bytes = i % 2 == 0 ? RandomBytes(random) : Damaged(json, random);
            var content = new ByteArrayContent(bytes);
            content.Headers.TryAddWithoutValidation("Content-Type", types[i % types.Length]);

            var response = await client.PostAsync("/api/articles", content);

            Assert.True((int)response.StatusCode < 500, $"request {i} got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 400)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Damaged(byte[] json, Random random)
    {
        const string Breakers = "{}[]\",:0\\\u00ff\n"; // structure, escapes and a byte that is never UTF-8
        byte[] bytes = json.ToArray();
        for (int e = 0; e < random.Next(1, 5); e++)
            bytes[random.Next(bytes.Length)] = (byte)Breakers[random.Next(Breakers.Length)];
        return bytes;
    }
}

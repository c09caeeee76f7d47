using System.Buffers.Text;
using System.Net;
using System.Text;
using Digest.IntegrationTests.Infrastructure;
using Digest.Storage;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.IntegrationTests.Email;

/// <summary>The unsubscribe link through the app's real HTTP pipeline, as a mailbox provider or a person uses it.</summary>
public sealed class UnsubscribeEndpointTests : IAsyncLifetime
{
    private readonly DigestTestHost _host = new();
    private HttpClient _client = null!;
    private Subscriber _ana = null!;

    public async Task InitializeAsync()
    {
        // No cookies and no redirects followed: a one-click POST must work, and answer, without either.
        _client = _host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        _ana = await _host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
    }

    private SubscriberTokens Tokens => _host.Get<SubscriberTokens>();

    private Task<bool> SubscribedAsync() => _host.Get<SubscriberStore>().IsSubscribedAsync(_ana.Id, "daily");

    private Task<HttpResponseMessage> OneClickAsync(string token) =>
        _client.PostAsync($"/u/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

    [Fact]
    public async Task Post_OneClick_UnsubscribesAtOnce_WithoutCookieOrRedirect()
    {
        var response = await OneClickAsync(Tokens.CreateUnsubscribe(_ana.Id, "daily"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Null(response.Headers.Location);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync());
        Assert.False(await SubscribedAsync());
    }

    [Fact]
    public async Task Post_OneClickAsMultipartForm_Unsubscribes()
    {
        using var form = new MultipartFormDataContent { { new StringContent("One-Click"), "List-Unsubscribe" } };

        var response = await _client.PostAsync($"/u/{Tokens.CreateUnsubscribe(_ana.Id, "daily")}", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await SubscribedAsync());
    }

    [Fact]
    public async Task Post_Twice_AnswersTheSameBothTimes()
    {
        string token = Tokens.CreateUnsubscribe(_ana.Id, "daily");

        var first = await OneClickAsync(token);
        var second = await OneClickAsync(token);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.False(await SubscribedAsync());
    }

    [Fact]
    public async Task Get_ShowsAConfirmationPageOnly_AndKeepsTheSubscription()
    {
        string token = Tokens.CreateUnsubscribe(_ana.Id, "daily");

        var response = await _client.GetAsync($"/u/{token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Stop receiving <strong>The Daily Digest</strong>?", page);
        Assert.Contains($"<form method=\"post\" action=\"/u/{token}\">", page);
        Assert.Contains("<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">", page);
        Assert.True(await SubscribedAsync(), "a GET (a link scanner's visit) must not unsubscribe anyone");
    }

    [Fact]
    public async Task Post_WithoutTheOneClickField_ChangesNothingAndSaysWhy()
    {
        var response = await _client.PostAsync($"/u/{Tokens.CreateUnsubscribe(_ana.Id, "daily")}", new StringContent(""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("List-Unsubscribe=One-Click", await response.Content.ReadAsStringAsync());
        Assert.True(await SubscribedAsync());
    }

    [Fact]
    public async Task Post_TokenForAnotherSubscriberWithTheSignatureKept_Is400()
    {
        string token = Tokens.CreateUnsubscribe(_ana.Id, "daily");
        string[] parts = token.Split('.');
        string payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])).Replace($"|{_ana.Id}|", $"|{_ana.Id + 1}|");
        string altered = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[1];

        await AssertRejectedAsync(altered, "this link is not valid");
    }

    [Fact]
    public async Task Post_TokenSignedWithAnotherSecret_Is400()
    {
        var forger = new SubscriberTokens(Options.Create(new SecurityOptions { TokenSecret = "not-the-installation-secret-0123456789abcdef" }),
            _host.Get<Database>(), TimeProvider.System);

        await AssertRejectedAsync(forger.CreateUnsubscribe(_ana.Id, "daily"), "this link is not valid");
    }

    [Fact]
    public async Task Post_ExpiredToken_Is400SayingItExpired()
    {
        string expired = Tokens.Create(SubscriberTokens.Unsubscribe, _ana.Id, "daily", TimeSpan.FromDays(-3));

        await AssertRejectedAsync(expired, "this link expired on");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("%E2%80%94.%E2%80%94")]
    public async Task Post_MalformedToken_Is400(string token) => await AssertRejectedAsync(token, "this link is not valid");

    [Fact]
    public async Task Post_ToTheListUnsubscribeLinkOfASentDigest_Unsubscribes()
    {
        await _host.DropArticleAsync("email-01-library.txt");
        await _host.Get<Digest.Editions.EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        var sent = MimeMessage.Load(Assert.Single(Directory.GetFiles(_host.OutboxPath, "*.eml")));
        string header = sent.Headers[HeaderId.ListUnsubscribe]!;
        var link = new Uri(header[(header.IndexOf('<') + 1)..header.IndexOf('>')]);

        var response = await _client.PostAsync(link.AbsolutePath, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await SubscribedAsync());
    }

    private async Task AssertRejectedAsync(string token, string reason)
    {
        var get = await _client.GetAsync($"/u/{token}");
        var post = await OneClickAsync(token);

        foreach (var response in new[] { get, post })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            string page = await response.Content.ReadAsStringAsync();
            Assert.Contains("This link does not work", page);
            Assert.Contains(reason, page);
        }
        Assert.True(await SubscribedAsync());
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _host.Dispose();
        return Task.CompletedTask;
    }
}

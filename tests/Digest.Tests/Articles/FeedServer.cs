using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Digest.Tests.Articles;

/// <summary>What the feed server saw of one request.</summary>
internal sealed record FeedRequest(string Path, string? IfNoneMatch, string? IfModifiedSince);

/// <summary>
/// A real HTTP server (Kestrel, in process) on a free loopback port serving fixture feeds the way publishers do:
/// with an ETag and Last-Modified, answering 304 to a matching conditional GET, or failing on demand.
/// </summary>
internal sealed class FeedServer : IAsyncDisposable
{
    private static readonly DateTimeOffset Modified = new(2026, 2, 10, 18, 30, 0, TimeSpan.Zero);
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new();

    private FeedServer(WebApplication app) => _app = app;

    /// <summary>The port Kestrel was given by the system (it binds port 0: no other process can take it first).</summary>
    public int Port => new Uri(_app.Urls.First()).Port;
    public ConcurrentQueue<FeedRequest> Requests { get; } = new();

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<FeedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FeedServer(app);
        app.Run(context =>
        {
            server.Requests.Enqueue(new FeedRequest(context.Request.Path, context.Request.Headers.IfNoneMatch.FirstOrDefault(),
                context.Request.Headers.IfModifiedSince.FirstOrDefault()));
            return server._routes.TryGetValue(context.Request.Path, out var handle) ? handle(context) : NotFound(context);
        });
        await app.StartAsync();
        return server;
    }

    /// <summary>Serves a fixture file with validators; a request that presents them gets 304.</summary>
    public void ServeFixture(string path, string fixture, string contentType = "application/rss+xml", string etag = "\"v1\"")
    {
        byte[] body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "feeds", fixture));
        _routes[path] = async context =>
        {
            context.Response.Headers.ETag = etag;
            context.Response.Headers.LastModified = Modified.ToString("R");
            if (context.Request.Headers.IfNoneMatch == etag)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(body);
        };
    }

    public void Fail(string path, int status) => _routes[path] = context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    /// <summary>Answers 302 to <paramref name="location"/>, after <paramref name="beforeAnswering"/> has run.</summary>
    public void Redirect(string path, string location, Action? beforeAnswering = null) => _routes[path] = context =>
    {
        beforeAnswering?.Invoke();
        context.Response.Redirect(location);
        return Task.CompletedTask;
    };

    /// <summary>Holds the response until the client gives up: a feed whose server hangs.</summary>
    public void Hang(string path) => _routes[path] = context => Task.Delay(Timeout.Infinite, context.RequestAborted);

    public IReadOnlyList<FeedRequest> RequestsFor(string path) => Requests.Where(r => r.Path == path).ToList();

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

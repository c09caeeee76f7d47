using System.Net;
using Dapper;
using Digest.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Articles.Feeds;

/// <summary>What one poll of a feed did.</summary>
public sealed record FeedPollResult(string Feed, bool Succeeded, bool NotModified, int New, int Duplicates, int Skipped,
    string? Error, DateTimeOffset NextPollAt);

/// <summary>A feed as editors see it: configured settings plus what the last polls did.</summary>
public sealed record FeedStatus(string Name, string Url, TimeSpan PollEvery, DateTimeOffset? LastPolledAt,
    DateTimeOffset? LastSuccessAt, DateTimeOffset? NextPollAt, long Failures, string? LastError, long LastNewArticles);

/// <summary>
/// Fetches the configured feeds and stores their items as articles. Conditional GET (ETag, Last-Modified) spares
/// unchanged feeds; a feed that fails is recorded, logged and tried again with growing pauses (never longer than its
/// own interval), and never holds up the others.
/// </summary>
public sealed class FeedPoller(
    IHttpClientFactory http,
    ArticleStore articles,
    Database database,
    IOptionsMonitor<FeedsOptions> feeds,
    TimeProvider time,
    ILogger<FeedPoller> logger)
{
    public const string HttpClientName = "feeds";

    /// <summary>A feed document larger than this is refused (feeds carry summaries, not archives).</summary>
    public const int MaxFeedBytes = 8 * 1024 * 1024;

    /// <summary>Polls every feed that is due, side by side.</summary>
    public async Task<IReadOnlyList<FeedPollResult>> PollDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var states = (await LoadStatesAsync()).ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        var due = feeds.CurrentValue.Where(feed => !states.TryGetValue(feed.Name, out var state)
            || state.Url != feed.Url || state.NextPollAt is null || FeedSchedule.IsDue(Clock.Parse(state.NextPollAt), now));
        return await Task.WhenAll(due.Select(feed => PollAsync(feed, cancellationToken)));
    }

    /// <summary>Polls one configured feed now, due or not.</summary>
    public Task<FeedPollResult> PollAsync(string name, CancellationToken cancellationToken = default) =>
        PollAsync(feeds.CurrentValue.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"no feed named '{name}' is configured", nameof(name)), cancellationToken);

    private async Task<FeedPollResult> PollAsync(FeedSource feed, CancellationToken cancellationToken)
    {
        var state = (await LoadStatesAsync()).SingleOrDefault(s => s.Name == feed.Name) is { } stored && stored.Url == feed.Url
            ? stored
            : new FeedRow { Name = feed.Name, Url = feed.Url }; // a new address starts without validators
        state.LastPolledAt = Clock.Format(time.GetUtcNow());
        FeedPollResult result;
        try
        {
            result = await FetchAndStoreAsync(feed, state, cancellationToken);
            state.Failures = 0;
            state.LastError = null;
            state.LastSuccessAt = state.LastPolledAt;
            state.LastNewArticles = result.New;
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            state.Failures++;
            state.LastError = Describe(error);
            var retry = time.GetUtcNow() + FeedSchedule.RetryAfter(state.Failures, feed.PollEvery);
            logger.LogWarning("Feed {Feed} ({Url}) failed, {Failures} time(s) in a row: {Error}. Trying again at {Retry:u}",
                feed.Name, feed.Url, state.Failures, state.LastError, retry);
            result = new FeedPollResult(feed.Name, false, false, 0, 0, 0, state.LastError, retry);
        }
        state.NextPollAt = Clock.Format(result.NextPollAt);
        await SaveStateAsync(state);
        return result;
    }

    private async Task<FeedPollResult> FetchAndStoreAsync(FeedSource feed, FeedRow state, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, feed.Url);
        if (state.Etag is not null)
            request.Headers.TryAddWithoutValidation("If-None-Match", state.Etag);
        if (state.LastModified is not null)
            request.Headers.TryAddWithoutValidation("If-Modified-Since", state.LastModified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(feed.Timeout);
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var next = time.GetUtcNow() + feed.PollEvery;
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            logger.LogDebug("Feed {Feed} has not changed", feed.Name);
            return new FeedPollResult(feed.Name, true, true, 0, 0, 0, null, next);
        }
        if (!response.IsSuccessStatusCode)
            throw new FeedFormatException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");

        using var document = await ReadBoundedAsync(response, timeout.Token);
        var items = FeedReader.Read(document.ToArray(), response.Content.Headers.ContentType?.CharSet, response.RequestMessage?.RequestUri ?? new Uri(feed.Url));
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var converted = items.Select(item => FeedArticles.From(item, feed, today)).ToList();
        foreach (var (_, _, problem) in converted.Where(c => c.Problem is not null))
            logger.LogWarning("Feed {Feed}: skipped an item: {Problem}", feed.Name, problem);

        var stored = await articles.AddManyAsync(
            converted.Where(c => c.Content is not null).Select(c => (c.Content!, c.Origin)), cancellationToken);
        foreach (var article in stored)
            logger.LogInformation("Feed {Feed}: {Article}", feed.Name, article.Describe());

        state.Etag = response.Headers.ETag?.ToString();
        state.LastModified = response.Content.Headers.LastModified?.ToString("R");
        int added = stored.Count(s => !s.Duplicate);
        return new FeedPollResult(feed.Name, true, false, added, stored.Count - added, converted.Count(c => c.Problem is not null), null, next);
    }

    private static async Task<MemoryStream> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxFeedBytes)
            throw new FeedFormatException($"the feed is {response.Content.Headers.ContentLength:N0} bytes, over the limit of {MaxFeedBytes:N0}");
        var buffer = new MemoryStream();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        byte[] chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxFeedBytes)
                throw new FeedFormatException($"the feed is over the limit of {MaxFeedBytes:N0} bytes");
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    private static string Describe(Exception error) => error switch
    {
        FeedFormatException => error.Message,
        HttpRequestException { InnerException: PrivateNetworkRefusedException refused } => refused.Message,
        HttpRequestException { HttpRequestError: var kind } => $"could not fetch it ({kind}): {error.Message}",
        OperationCanceledException => "the server did not answer in time",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    /// <summary>Every configured feed with what its last polls did, in configuration order.</summary>
    public async Task<IReadOnlyList<FeedStatus>> ListStatusAsync()
    {
        var states = (await LoadStatesAsync()).ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        return feeds.CurrentValue.Select(feed =>
        {
            var state = states.GetValueOrDefault(feed.Name);
            static DateTimeOffset? At(string? stored) => stored is null ? null : Clock.Parse(stored);
            return new FeedStatus(feed.Name, feed.Url, feed.PollEvery, At(state?.LastPolledAt), At(state?.LastSuccessAt),
                At(state?.NextPollAt), state?.Failures ?? 0, state?.LastError, state?.LastNewArticles ?? 0);
        }).ToList();
    }

    /// <summary>The stored state of every feed ever polled: a handful of rows.</summary>
    private async Task<IReadOnlyList<FeedRow>> LoadStatesAsync()
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<FeedRow>("SELECT * FROM feeds")).ToList();
    }

    private async Task SaveStateAsync(FeedRow state)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO feeds (name, url, etag, last_modified, last_polled_at, last_success_at, next_poll_at, failures, last_error, last_new_articles)
            VALUES (@Name, @Url, @Etag, @LastModified, @LastPolledAt, @LastSuccessAt, @NextPollAt, @Failures, @LastError, @LastNewArticles)
            ON CONFLICT (name) DO UPDATE SET url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
                last_polled_at = excluded.last_polled_at, last_success_at = excluded.last_success_at, next_poll_at = excluded.next_poll_at,
                failures = excluded.failures, last_error = excluded.last_error, last_new_articles = excluded.last_new_articles
            """, state);
    }

    private sealed class FeedRow
    {
        public string Name { get; set; } = "";
        public string Url { get; set; } = "";
        public string? Etag { get; set; }
        public string? LastModified { get; set; }
        public string? LastPolledAt { get; set; }
        public string? LastSuccessAt { get; set; }
        public string? NextPollAt { get; set; }
        public long Failures { get; set; }
        public string? LastError { get; set; }
        public long LastNewArticles { get; set; }
    }
}

/// <summary>When a failing feed is tried again: after 1, 2, 4, … minutes, never later than its own interval.</summary>
public static class FeedSchedule
{
    /// <summary>
    /// How early a poll may run. The poll job fires once a minute, and a run that fires a moment before a feed's
    /// time would otherwise leave it for the next run, a whole minute late: with <c>PollEvery: 00:01:00</c>, every
    /// other minute skipped.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(30);

    /// <summary>Whether a feed next due at <paramref name="nextPollAt"/> is polled by the run at <paramref name="now"/>.</summary>
    public static bool IsDue(DateTimeOffset nextPollAt, DateTimeOffset now) => nextPollAt <= now + Tolerance;

    public static TimeSpan RetryAfter(long failures, TimeSpan pollEvery)
    {
        double minutes = Math.Pow(2, Math.Clamp(failures - 1, 0L, 20L));
        return TimeSpan.FromMinutes(Math.Min(minutes, pollEvery.TotalMinutes));
    }
}

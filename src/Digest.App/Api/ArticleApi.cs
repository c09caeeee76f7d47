using System.Security.Cryptography;
using System.Text;
using Digest.App.Web;
using Digest.Articles;
using Digest.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Digest.App.Api;

/// <summary>The JSON form of an article, as described to integrators (<see cref="ArticleJson"/> reads it).</summary>
public sealed record ArticleJsonBody(string Headline, string PublishedAt, IReadOnlyList<string> Highlights, string Body, string? Url, string? Source,
    string? Image = null, string? ImageAlt = null);

/// <summary>What <c>POST /api/articles</c> answers for a stored (or recognised) article.</summary>
public sealed record ArticleAnswer(long Id, string Slug, string Url, bool Duplicate, string? MatchedBy, string Message);

/// <summary>
/// <c>POST /api/articles</c>: the article text format (text/plain) or its JSON form. 201 for a new article, 200 with
/// the existing article for a duplicate, 422 with line-numbered problems, 413 over the size limit, 401 without the
/// key. Nothing a client sends produces a 500.
/// </summary>
internal static class ArticleApi
{
    public static void MapArticleApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/articles", PostAsync).AddEndpointFilter(RequireApiKey).DisableAntiforgery()
            .WithMetadata(new RateLimitedAttribute(RateLimits.Api))
            .WithTags("Articles").WithSummary("Submit an article (the article text format as text/plain, or JSON)")
            .Accepts<ArticleJsonBody>("application/json", "text/plain")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static async Task<Results<Created<ArticleAnswer>, Ok<ArticleAnswer>, ProblemHttpResult>> PostAsync(HttpRequest request, ArticleStore articles, IOptions<ApiOptions> api,
        IOptions<SiteOptions> site, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        long limit = api.Value.MaxArticleBytes;
        if (request.ContentLength > limit)
            return TooLarge(request.ContentLength.Value, limit);
        byte[]? body;
        try
        {
            body = await ReadBodyAsync(request, limit, cancellationToken);
        }
        catch (BadHttpRequestException error)
        {
            // The server refused the body itself (malformed chunking, over its own limit): the client's fault.
            return TypedResults.Problem(statusCode: error.StatusCode, title: "The request body could not be read", detail: error.Message);
        }
        if (body is null)
            return TooLarge(null, limit);

        ArticleSubmission submission;
        if (IsJson(request.ContentType))
            submission = ArticleJson.Parse(body);
        else if (IsPlainText(request.ContentType))
            submission = new ArticleSubmission(ArticleParser.Parse(body, limit));
        else
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: $"'{Echo.Short(request.ContentType, 100)}' is not accepted; send text/plain (the article text format) or application/json");

        if (submission.Outcome.Article is not { } content)
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The article cannot be stored",
                detail: string.Join("; ", submission.Outcome.Problems),
                extensions: new Dictionary<string, object?> { ["problems"] = submission.Outcome.Problems.Select(p => new { p.Line, p.Message }) });

        string source = string.IsNullOrWhiteSpace(submission.Source) ? "api" : $"api:{submission.Source[..Math.Min(60, submission.Source.Length)]}";
        var stored = await articles.AddAsync(content, new ArticleOrigin(source, submission.Url), cancellationToken);
        string url = site.Value.ArticleUrl(stored.Slug);
        loggers.CreateLogger(typeof(ArticleApi)).LogInformation("API ({Source}) submitted {Article}", source, stored.Describe());
        var answer = new ArticleAnswer(stored.Id, stored.Slug, url, stored.Duplicate, stored.MatchedBy, $"Stored as {stored.Describe()}");
        return stored.Duplicate ? TypedResults.Ok(answer) : TypedResults.Created(url, answer);
    }

    /// <summary>The body, or null when it is longer than the limit (a client may send no Content-Length).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge(long? size, long limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "The article is too large",
        detail: size is null ? $"the body is over the limit of {limit:N0} bytes" : ArticleParser.TooLarge(size.Value, limit).Message);

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static bool IsPlainText(string? contentType) =>
        string.IsNullOrEmpty(contentType)
        || MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);

    /// <summary>Admits a request carrying the configured key; compares digests so timing reveals nothing about it.</summary>
    private static async ValueTask<object?> RequireApiKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        string? configured = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.Key;
        if (string.IsNullOrEmpty(configured))
            return Unauthorized("the API is switched off: no key is configured (set Api:Key, in production the environment variable Api__Key)");
        string? offered = http.Request.Headers["X-Api-Key"].FirstOrDefault();
        string? authorization = http.Request.Headers.Authorization.FirstOrDefault();
        if (offered is null && authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
            offered = authorization["Bearer ".Length..].Trim();
        if (offered is null)
            return Unauthorized("send the API key in the X-Api-Key header");
        bool matches = CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(offered)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
        return matches ? await next(context) : Unauthorized("the API key is not valid");
    }

    private static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not authorised", detail: detail);
}

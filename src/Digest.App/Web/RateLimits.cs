using System.Globalization;
using System.Threading.RateLimiting;

namespace Digest.App.Web;

/// <summary>Marks a page or endpoint whose posts count against one of the <see cref="RateLimits"/> buckets.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RateLimitedAttribute(string bucket) : Attribute
{
    public string Bucket => bucket;
}

/// <summary>
/// ASP.NET Core's rate limiter on what anyone may send without signing in: sign-in and sign-up posts and the public
/// API, per client address and overall, answering 429 with Retry-After. Reading pages is never limited. Idle
/// windows are dropped by the limiter itself, so its memory stays bounded by the clients of the last window.
/// </summary>
internal static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string SignUp = "sign-up";
    public const string Api = "api";

    /// <summary>The largest form or JSON body a public page or endpoint reads.</summary>
    public const int MaxFormBytes = 64 * 1024;

    /// <summary>Posts allowed per client and for everyone together (0: no overall limit) in each window.</summary>
    internal static readonly IReadOnlyDictionary<string, (int PerClient, int Overall, TimeSpan Window)> Buckets =
        new Dictionary<string, (int, int, TimeSpan)>
        {
            [SignIn] = (10, 0, TimeSpan.FromMinutes(1)),
            [SignUp] = (10, 100, TimeSpan.FromMinutes(10)),
            [Api] = (120, 600, TimeSpan.FromMinutes(1)),
        };

    public static IServiceCollection AddDigestRateLimits(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, perClient: true)),
            PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, perClient: false)));
        options.OnRejected = async (rejected, cancellationToken) =>
        {
            var http = rejected.HttpContext;
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            if (!http.Request.Path.StartsWithSegments("/api"))
                return; // a page: the error page says it, through status code pages
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new()
            {
                HttpContext = http,
                ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests",
                    Detail = $"Too many requests from this address; try again in {Math.Ceiling(retryAfter.TotalSeconds):0} seconds." },
            });
        };
    });

    private static RateLimitPartition<string> Partition(HttpContext context, bool perClient)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<RateLimitedAttribute>() is not { } limited)
            return RateLimitPartition.GetNoLimiter("");
        var (perClientLimit, overall, window) = Buckets[limited.Bucket];
        int permits = perClient ? perClientLimit : overall;
        if (permits == 0)
            return RateLimitPartition.GetNoLimiter("");
        string key = perClient ? $"{limited.Bucket} {ClientKey.Of(context)}" : limited.Bucket;
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        });
    }
}

/// <summary>Who a request comes from, as far as this process can tell: the client address (after trusted proxies).</summary>
internal static class ClientKey
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

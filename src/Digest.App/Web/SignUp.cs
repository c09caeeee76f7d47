using Digest.Editions;
using Digest.Subscribers;

namespace Digest.App.Web;

/// <summary>What a person typed into the sign-up form or sent to <c>POST /api/subscribers</c>.</summary>
internal sealed record SignUpRequest
{
    public const int MaxNameLength = 100;

    public string? Name { get; init; }
    public string? Email { get; init; }
    public string[]? Editions { get; init; }

    /// <summary>The request checked and normalised, or the problems keyed by field, each saying what is wrong.</summary>
    public (ValidSignUp? SignUp, Dictionary<string, string[]> Problems) Validate(EditionsOptions configured)
    {
        var problems = new Dictionary<string, string[]>();
        string? email = EmailAddress.Normalise(Email, out string? emailProblem);
        if (email is null)
            problems["email"] = [$"email: {emailProblem}"];

        string name = (Name ?? "").Trim();
        if (name.Length > MaxNameLength)
            problems["name"] = [$"name: {name.Length} characters long; the limit is {MaxNameLength}"];
        else if (name.Any(char.IsControl))
            problems["name"] = ["name: contains a line break or another control character"];

        var editions = (Editions ?? []).Select(e => e.Trim().ToLowerInvariant()).Where(e => e.Length > 0).Distinct().ToList();
        var unknown = editions.Where(e => !configured.ContainsKey(e)).ToList();
        if (editions.Count == 0)
            problems["editions"] = [$"editions: choose at least one of {string.Join(", ", configured.Keys)}"];
        else if (unknown.Count > 0)
            problems["editions"] = [$"editions: no edition named {string.Join(", ", unknown.Select(u => $"'{u}'"))}; editions are {string.Join(", ", configured.Keys)}"];

        return (problems.Count == 0 ? new ValidSignUp(email!, name, editions) : null, problems);
    }
}

internal sealed record ValidSignUp(string Email, string Name, IReadOnlyList<string> Editions);

/// <summary>
/// Records a sign-up and sends the confirmation email. Every accepted request gets the same answer, whether the
/// address was new, pending, confirmed or suppressed: the answer never tells who subscribes. An address gets at
/// most one confirmation email per <see cref="ResendAfter"/>, so the form cannot be used to flood someone's inbox
/// (per process: a few more with several web processes, still no flood).
/// </summary>
internal sealed class SignUpService(SubscriberLifecycle lifecycle, ConfirmationMail mail, Microsoft.Extensions.Options.IOptionsMonitor<EditionsOptions> editions,
    TimeProvider time, ILogger<SignUpService> logger)
{
    public static readonly TimeSpan ResendAfter = TimeSpan.FromMinutes(10);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, DateTimeOffset> _lastSent = new();

    public async Task<bool> SignUpAsync(ValidSignUp request, CancellationToken cancellationToken)
    {
        var subscriber = await lifecycle.SignUpAsync(request.Email, request.Name, request.Editions, cancellationToken);
        if (subscriber is null)
            return true; // a suppressed address is never mailed
        var now = time.GetUtcNow();
        if (_lastSent.TryGetValue(subscriber.Id, out var last) && now - last < ResendAfter)
            return true; // the confirmation sent moments ago still works
        try
        {
            await mail.SendAsync(subscriber, request.Editions.Select(e => editions.CurrentValue.Get(e).Title), cancellationToken);
            _lastSent[subscriber.Id] = now;
            return true;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Could not send the confirmation email to subscriber {SubscriberId}", subscriber.Id);
            return false;
        }
    }
}

using Digest.Editions;
using Digest.Subscribers;

namespace Digest.App.Web;

/// <summary>What a person typed into the sign-up form or sent to <c>POST /api/subscribers</c>.</summary>
public sealed record SignUpRequest
{
    public const int MaxNameLength = 100;

    public string? Name { get; init; }
    public string? Email { get; init; }
    public string[]? Editions { get; init; }

    /// <summary>Topics to preselect (a link to the form may carry them): the new reader gets only articles on these; none: everything.</summary>
    public string[]? Topics { get; init; }

    /// <summary>What is wrong with a subscriber's name (trimmed), wherever it is typed; null when it is fine.</summary>
    public static string? NameProblem(string name) =>
        name.Length > MaxNameLength ? $"name: {name.Length} characters long; the limit is {MaxNameLength}"
        : name.Any(char.IsControl) ? "name: contains a line break or another control character"
        : null;

    /// <summary>At most this many unknown names, each cut short, are quoted back: an answer never echoes unbounded input.</summary>
    private const int QuotedNames = 5;

    private static string Quoted(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(QuotedNames).Select(n => $"'{Echo.Short(n)}'"))
        + (names.Count > QuotedNames ? $" and {names.Count - QuotedNames} more" : "");

    /// <summary>The request checked and normalised, or the problems keyed by field, each saying what is wrong.</summary>
    public (ValidSignUp? SignUp, Dictionary<string, string[]> Problems) Validate(EditionsOptions configured)
    {
        var problems = new Dictionary<string, string[]>();
        string? email = EmailAddress.Normalise(Email, out string? emailProblem);
        if (email is null)
            problems["email"] = [$"email: {emailProblem}"];

        string name = (Name ?? "").Trim();
        if (NameProblem(name) is { } nameProblem)
            problems["name"] = [nameProblem];

        var editions = (Editions ?? []).Select(e => (e ?? "").Trim().ToLowerInvariant()).Where(e => e.Length > 0).Distinct().ToList();
        var unknown = editions.Where(e => !configured.ContainsKey(e)).ToList();
        if (editions.Count == 0)
            problems["editions"] = [$"editions: choose at least one of {string.Join(", ", configured.Keys)}"];
        else if (unknown.Count > 0)
            problems["editions"] = [$"editions: no edition named {Quoted(unknown)}; editions are {string.Join(", ", configured.Keys)}"];

        var (topics, topicsProblem) = Articles.ArticleTopics.Read((Topics ?? []).SelectMany(t => (t ?? "").Split(',')), "topics");
        if (topicsProblem is not null)
            problems["topics"] = [topicsProblem];

        return (problems.Count == 0 ? new ValidSignUp(email!, name, editions, topics) : null, problems);
    }
}

public sealed record ValidSignUp(string Email, string Name, IReadOnlyList<string> Editions, IReadOnlyList<string> Topics);

/// <summary>
/// Records a sign-up and sends the confirmation email. Every accepted request gets the same answer, whether the
/// address was new, pending, confirmed or suppressed: the answer never tells who subscribes. An address gets at
/// most one confirmation email per <see cref="ResendAfter"/>, however many requests arrive at once and in however
/// many processes: the database decides (<see cref="SubscriberLifecycle.ClaimConfirmationMailAsync"/>).
/// </summary>
public sealed class SignUpService(SubscriberLifecycle lifecycle, SubscriberStore subscribers, ConfirmationMail mail,
    Microsoft.Extensions.Options.IOptionsMonitor<EditionsOptions> editions, ILogger<SignUpService> logger)
{
    public static readonly TimeSpan ResendAfter = TimeSpan.FromMinutes(10);

    public const string AcceptedMessage = "If the address can receive email, a confirmation link is on its way to it. Open it to start receiving the digest.";

    /// <summary>Records the sign-up and mails the link; false only when the mail could not be sent.</summary>
    public async Task<bool> SignUpAsync(ValidSignUp request, CancellationToken cancellationToken)
    {
        var subscriber = await lifecycle.SignUpAsync(request.Email, request.Name, request.Editions, cancellationToken);
        if (subscriber is null)
            return true; // a suppressed address is never mailed
        // Preselected topics apply to a reader not yet confirmed only: nobody changes a confirmed reader's choice by signing their address up.
        if (request.Topics.Count > 0 && subscriber.Status != SubscriberStatus.Confirmed)
            await subscribers.SetTopicsAsync(subscriber.Id, request.Topics, cancellationToken);
        return await SendConfirmationAsync(subscriber, request.Editions, cancellationToken) != ConfirmationOutcome.Failed;
    }

    /// <summary>Sends the confirmation link for these editions, unless one went to the address within <see cref="ResendAfter"/>.</summary>
    public async Task<ConfirmationOutcome> SendConfirmationAsync(Subscriber subscriber, IEnumerable<string> editionNames, CancellationToken cancellationToken)
    {
        if (await lifecycle.ClaimConfirmationMailAsync(subscriber.Id, ResendAfter, cancellationToken) is not { } claimed)
            return ConfirmationOutcome.SentRecently; // the confirmation sent moments ago still works
        try
        {
            var titles = editionNames.Where(editions.CurrentValue.ContainsKey).Select(e => editions.CurrentValue.Get(e).Title).ToList();
            await mail.SendAsync(subscriber, titles, cancellationToken);
            return ConfirmationOutcome.Sent;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogError(error, "Could not send the confirmation email to subscriber {SubscriberId}", subscriber.Id);
            await lifecycle.ReleaseConfirmationMailAsync(subscriber.Id, claimed, CancellationToken.None);
            return ConfirmationOutcome.Failed;
        }
    }
}

public enum ConfirmationOutcome { Sent, SentRecently, Failed }

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Digest.App.Web.Access;

/// <summary>The outcome of one sign-in attempt.</summary>
internal sealed record SignInOutcome(WebUser? User, string? Problem);

/// <summary>A configured user who proved their password.</summary>
internal sealed record WebUser(string Name, IReadOnlyList<string> Roles, string? Email);

/// <summary>
/// Checks user name and password against the "Users" section and locks a name out after repeated failures, so a
/// password cannot be guessed at speed. Counts are per process: with several web processes a guesser gets this
/// many tries per process per lockout period, still far too few to matter.
/// </summary>
internal sealed class SignInGuard(IOptionsMonitor<UsersOptions> users, TimeProvider time)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockoutPeriod = TimeSpan.FromMinutes(15);

    private sealed record Failures(int Count, DateTimeOffset? LockedUntil);

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);

    public SignInOutcome SignIn(string name, string password)
    {
        var now = time.GetUtcNow();
        if (_failures.TryGetValue(name, out var past) && past.LockedUntil is { } until && until > now)
            return new(null, $"Too many failed attempts for this user name. Try again after {until:HH:mm} UTC.");

        // Unknown names are checked against a decoy hash and counted like wrong passwords: the answer and its timing
        // never tell whether a name exists.
        users.CurrentValue.TryGetValue(name, out var user);
        if (PasswordHashes.Verify(user?.PasswordHash, password) && user is not null)
        {
            _failures.TryRemove(name, out _);
            return new(new WebUser(users.CurrentValue.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)), user.Roles, user.Email), null);
        }

        var failures = _failures.AddOrUpdate(name,
            _ => new Failures(1, null),
            (_, f) => f.LockedUntil is { } expired && expired <= now ? new Failures(1, null) : f with { Count = f.Count + 1 });
        if (failures.Count >= MaxFailures)
        {
            _failures[name] = failures with { LockedUntil = now + LockoutPeriod };
            return new(null, $"Too many failed attempts for this user name. Try again after {now + LockoutPeriod:HH:mm} UTC.");
        }
        return new(null, "Wrong user name or password.");
    }
}

using Microsoft.Extensions.Options;

namespace Digest.App.Web.Access;

/// <summary>The outcome of one sign-in attempt.</summary>
public sealed record SignInOutcome(WebUser? User, string? Problem);

/// <summary>A configured user who proved their password, with the stamp of their settings (<see cref="SessionStamp"/>).</summary>
public sealed record WebUser(string Name, IReadOnlyList<string> Roles, string? Email, string Stamp);

/// <summary>
/// Checks user name and password against the "Users" section and locks out a user name for the client that got it
/// wrong too often, so a password cannot be guessed at speed while nobody elsewhere can lock a colleague out. An
/// attempt takes its turn before the (slow) password check, under a lock: however many arrive at once, at most
/// <see cref="MaxFailures"/> are ever checked. Counts are per process and bounded (<see cref="MaxTracked"/>);
/// the rate limiter in front limits each client's attempts over all names.
/// </summary>
public sealed class SignInGuard(IOptionsMonitor<UsersOptions> users, TimeProvider time)
{
    public const int MaxFailures = 5;
    public const int MaxTracked = 10_000;
    public static readonly TimeSpan LockoutPeriod = TimeSpan.FromMinutes(15);

    /// <summary>Failed and in-flight attempts of one client at one name since <see cref="Since"/>.</summary>
    private sealed class Attempts
    {
        public int Failures;
        public int InFlight;
        public DateTimeOffset Since;
        public DateTimeOffset? LockedUntil;
    }

    private readonly Dictionary<(string Client, string Name), Attempts> _attempts = [];
    private readonly Lock _lock = new();

    public SignInOutcome SignIn(string client, string name, string password)
    {
        var key = (client, name.ToLowerInvariant());
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var attempts = Track(key, now);
            if (attempts is null || attempts.LockedUntil > now || attempts.Failures + attempts.InFlight >= MaxFailures)
                return LockedOut(attempts?.LockedUntil ?? now + LockoutPeriod);
            attempts.InFlight++;
        }

        // Unknown names are checked against a decoy hash and counted like wrong passwords: the answer and its timing
        // never tell whether a name exists.
        var configured = users.CurrentValue;
        configured.TryGetValue(name, out var user);
        bool right = PasswordHashes.Verify(user?.PasswordHash, password) && user is not null;

        lock (_lock)
        {
            var attempts = _attempts[key];
            attempts.InFlight--;
            if (right)
            {
                _attempts.Remove(key);
                string configuredName = configured.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
                return new(new WebUser(configuredName, user!.Roles, user.Email, SessionStamp.Of(user)), null);
            }
            attempts.Failures++;
            if (attempts.Failures >= MaxFailures)
            {
                attempts.LockedUntil = now + LockoutPeriod;
                return LockedOut(attempts.LockedUntil.Value);
            }
            return new(null, "Wrong user name or password.");
        }
    }

    /// <summary>The attempts for a key, started afresh once the last lockout period is over; null when the table is full of live entries.</summary>
    private Attempts? Track((string, string) key, DateTimeOffset now)
    {
        if (_attempts.TryGetValue(key, out var attempts))
        {
            if (attempts.InFlight == 0 && (attempts.LockedUntil <= now || (attempts.LockedUntil is null && now - attempts.Since > LockoutPeriod)))
                _attempts[key] = attempts = new Attempts { Since = now };
            return attempts;
        }
        if (_attempts.Count >= MaxTracked)
            foreach (var (stale, _) in _attempts.Where(a => a.Value.InFlight == 0 && (a.Value.LockedUntil ?? a.Value.Since + LockoutPeriod) <= now).ToList())
                _attempts.Remove(stale);
        if (_attempts.Count >= MaxTracked)
            return null; // every tracked client is mid-lockout: refuse rather than forget one
        _attempts[key] = attempts = new Attempts { Since = now };
        return attempts;
    }

    private static SignInOutcome LockedOut(DateTimeOffset until) =>
        new(null, $"Too many failed attempts for this user name. Try again after {until:HH:mm} UTC.");
}

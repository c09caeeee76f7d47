using Digest.App.Web.Access;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Web;

public sealed class SignInGuardTests
{
    private const string Password = "correct horse battery staple";
    private const string Client = "203.0.113.1";

    private static (SignInGuard Guard, FakeTimeProvider Time) Guard()
    {
        var users = new UsersOptions { ["erin"] = new WebUserOptions { PasswordHash = PasswordHashes.Hash(Password), Roles = ["editor"] } };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        return (new SignInGuard(new StaticMonitor(users), time), time);
    }

    [Fact]
    public void SignIn_RightPassword_GivesTheConfiguredNameAndRoles()
    {
        var (guard, _) = Guard();

        var outcome = guard.SignIn(Client, "ERIN", Password);

        Assert.Equal("erin", outcome.User?.Name);
        Assert.Equal(["editor"], outcome.User?.Roles);
    }

    [Fact]
    public void SignIn_LockedOutAfterFiveFailures_UntilTheLockoutPeriodPasses()
    {
        var (guard, time) = Guard();
        for (int i = 0; i < SignInGuard.MaxFailures; i++)
            guard.SignIn(Client, "erin", "wrong " + i);

        var locked = guard.SignIn(Client, "erin", Password);
        time.Advance(SignInGuard.LockoutPeriod - TimeSpan.FromSeconds(1));
        var stillLocked = guard.SignIn(Client, "erin", Password);
        time.Advance(TimeSpan.FromSeconds(2));
        var open = guard.SignIn(Client, "erin", Password);

        Assert.Null(locked.User);
        Assert.Equal("Too many failed attempts for this user name. Try again after 09:15 UTC.", locked.Problem);
        Assert.Null(stillLocked.User);
        Assert.NotNull(open.User);
    }

    [Fact]
    public void SignIn_SuccessResetsTheFailureCount()
    {
        var (guard, _) = Guard();
        for (int i = 0; i < SignInGuard.MaxFailures - 1; i++)
            guard.SignIn(Client, "erin", "wrong");
        guard.SignIn(Client, "erin", Password);

        for (int i = 0; i < SignInGuard.MaxFailures - 1; i++)
            guard.SignIn(Client, "erin", "wrong");

        Assert.NotNull(guard.SignIn(Client, "erin", Password).User);
    }

    [Fact]
    public void Validate_PlainPasswordOrUnknownRole_NamesTheSetting()
    {
        var users = new UsersOptions { ["ada"] = new WebUserOptions { PasswordHash = "hunter2", Roles = ["owner"] } };

        var result = new UsersOptionsValidator().Validate(null, users);

        Assert.Equal(
        [
            "Users:ada:PasswordHash: not a password hash (plain passwords are refused); make one with 'dotnet run --project src/Digest.App -- users add ada --role editor'",
            "Users:ada:Roles: 'owner' is not a role; roles are editor, admin",
        ], result.Failures);
    }

    private sealed class StaticMonitor(UsersOptions value) : IOptionsMonitor<UsersOptions>
    {
        public UsersOptions CurrentValue => value;
        public UsersOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<UsersOptions, string?> listener) => null;
    }
}

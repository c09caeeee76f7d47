using Microsoft.Extensions.Options;

namespace Digest.App.Web.Access;

/// <summary>One person who may sign in, under the "Users" section keyed by user name.</summary>
public sealed class WebUserOptions
{
    /// <summary>The password hash printed by <c>users add</c>; never the password itself.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>"editor" (articles, subscribers, previews) and/or "admin" (everything, including the jobs dashboard).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Where "send a test to me" sends; optional.</summary>
    public string? Email { get; set; }
}

/// <summary>The "Users" section: everyone who may sign in to the editor and operator pages.</summary>
public sealed class UsersOptions : Dictionary<string, WebUserOptions>
{
    public const string SectionName = "Users";

    public UsersOptions() : base(StringComparer.OrdinalIgnoreCase) { }
}

internal sealed class UsersOptionsValidator : IValidateOptions<UsersOptions>
{
    public ValidateOptionsResult Validate(string? name, UsersOptions options)
    {
        var failures = new List<string>();
        foreach (var (user, settings) in options)
        {
            if (!PasswordHashes.LooksLikeHash(settings.PasswordHash))
                failures.Add($"Users:{user}:PasswordHash: not a password hash (plain passwords are refused); make one with 'dotnet run --project src/Digest.App -- users add {user} --role editor'");
            if (settings.Roles.Count == 0)
                failures.Add($"Users:{user}:Roles: empty; give 'editor' or 'admin'");
            if (!string.IsNullOrWhiteSpace(settings.Email) && Digest.Subscribers.EmailAddress.Normalise(settings.Email, out string? problem) is null)
                failures.Add($"Users:{user}:Email: {problem}");
            foreach (string role in settings.Roles.Where(r => !AccessPolicies.Roles.Contains(r)))
                failures.Add($"Users:{user}:Roles: '{role}' is not a role; roles are {string.Join(", ", AccessPolicies.Roles)}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

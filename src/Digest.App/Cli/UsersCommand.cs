using System.CommandLine;
using System.Text;
using System.Text.Json;
using Digest.App.Web.Access;

namespace Digest.App.Cli;

/// <summary>
/// <c>users add NAME --role admin</c>: asks for a password (or reads it from standard input) and prints the
/// settings that let that person sign in. Digest never stores the password, only its hash.
/// </summary>
internal static class UsersCommand
{
    private const int MinPasswordLength = 12;

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The user name to sign in with" };
        var roles = new Option<string[]>("--role")
        {
            Description = $"A role: {string.Join(" or ", AccessPolicies.Roles)} (repeatable)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var add = new Command("add", "Print the settings for a user who may sign in (the password is read from the terminal or standard input)") { name, roles };
        add.SetAction(result =>
        {
            string user = result.GetValue(name)!.Trim();
            var chosen = (result.GetValue(roles) ?? []).Select(r => r.ToLowerInvariant()).Distinct().ToList();
            if (user.Length == 0 || user.Any(c => char.IsWhiteSpace(c) || c is ':' or '_'))
            {
                Console.Error.WriteLine($"Cannot add user '{user}': a user name has no spaces, ':' or '_' (they break settings keys).");
                return 1;
            }
            if (chosen.FirstOrDefault(r => !AccessPolicies.Roles.Contains(r)) is { } unknown)
            {
                Console.Error.WriteLine($"Cannot add user: '{unknown}' is not a role; roles are {string.Join(", ", AccessPolicies.Roles)}.");
                return 1;
            }
            string password = ReadPassword("Password: ");
            if (password.Length < MinPasswordLength)
            {
                Console.Error.WriteLine($"Cannot add user: the password has {password.Length} characters; use at least {MinPasswordLength}.");
                return 1;
            }
            // Typed blind, a password is asked twice: a typo would otherwise lock its owner out.
            if (!Console.IsInputRedirected && ReadPassword("Again: ") != password)
            {
                Console.Error.WriteLine("Cannot add user: the two passwords differ; nothing was changed.");
                return 1;
            }
            // Printed for a settings file, not a web page: relaxed escaping keeps the hash pasteable as it is.
            Console.WriteLine(Settings(user, chosen, PasswordHashes.Hash(password)));
            return 0;
        });
        return new Command("users", "Manage who may sign in to the editor and operator pages") { add };
    }

    private static string Settings(string user, IReadOnlyList<string> roles, string hash)
    {
        var section = new Dictionary<string, object> { [UsersOptions.SectionName] = new Dictionary<string, object> { [user] = new { PasswordHash = hash, Roles = roles } } };
        var text = new StringBuilder();
        text.AppendLine("Add this to appsettings.json (merge it with any \"Users\" already there):");
        text.AppendLine(JsonSerializer.Serialize(section, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        text.AppendLine();
        text.AppendLine("or set these environment variables:");
        text.AppendLine($"Users__{user}__PasswordHash={hash}");
        for (int i = 0; i < roles.Count; i++)
            text.AppendLine($"Users__{user}__Roles__{i}={roles[i]}");
        return text.ToString().TrimEnd();
    }

    /// <summary>Reads the password without echoing it on a terminal; from a pipe, reads the first line.</summary>
    private static string ReadPassword(string prompt)
    {
        if (Console.IsInputRedirected)
            return Console.In.ReadLine() ?? "";
        Console.Error.Write(prompt);
        var password = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && password.Length > 0)
                password.Length--;
            else if (!char.IsControl(key.KeyChar))
                password.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return password.ToString();
    }
}

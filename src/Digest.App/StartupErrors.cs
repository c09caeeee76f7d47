using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Digest.App.Settings;
using Digest.Rendering;
using Digest.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Digest.App;

/// <summary>Exit codes of the service and of every command, one per kind of failure (listed in the README).</summary>
internal static class ExitCodes
{
    /// <summary>A command refused its input (an unknown edition, a malformed address …).</summary>
    public const int Refused = 1;
    /// <summary>A setting or template is invalid.</summary>
    public const int Settings = 2;
    /// <summary><c>send</c>/<c>runs resend</c>: some recipients failed for good.</summary>
    public const int RecipientsFailed = 3;
    /// <summary>A settings file is not valid JSON.</summary>
    public const int SettingsFile = 4;
    /// <summary>The web port is taken.</summary>
    public const int PortInUse = 5;
    /// <summary>The data folder cannot be written.</summary>
    public const int DataFolder = 6;
    /// <summary>Another Digest process already runs on this data folder.</summary>
    public const int AlreadyRunning = 7;
    /// <summary><c>send</c>/<c>runs resend</c>: nothing could be delivered because of a relay setting (TLS, password).</summary>
    public const int RelayRefused = 8;
    /// <summary>Anything else: the message names the error; <c>--verbose</c> adds the stack trace.</summary>
    public const int Unexpected = 70;
}

/// <summary>A failure described for the operator: what is wrong, where, and what to change.</summary>
internal sealed record StartupFailure(int ExitCode, string Message);

internal static partial class StartupErrors
{
    private const string Verbose = "--verbose";

    /// <summary>
    /// Runs the service or a command; a failure before or during start is reported as one paragraph
    /// ("Digest cannot start: …") with an exit code of its kind, and the stack trace only with <c>--verbose</c>.
    /// </summary>
    public static async Task<int> ReportAsync(string[] args, string cannot, Func<string[], Task<int>> run)
    {
        bool verbose = args.Contains(Verbose);
        try
        {
            return await run([.. args.Where(a => a != Verbose)]);
        }
        catch (OperationCanceledException) when (!verbose)
        {
            return 0; // stopped (SIGTERM, Ctrl+C) before it had finished starting: nothing went wrong
        }
        catch (Exception error)
        {
            var failure = Describe(error) ?? new StartupFailure(ExitCodes.Unexpected,
                $"  {error.GetType().Name}: {error.Message}" + (verbose ? "" : $"{Environment.NewLine}  (add {Verbose} to see where it happened)"));
            Console.Error.WriteLine($"Digest cannot {cannot}:");
            Console.Error.WriteLine(failure.Message);
            if (verbose)
                Console.Error.WriteLine(error);
            return failure.ExitCode;
        }
    }

    /// <summary>A clear message for a failure the operator can fix; null for anything else.</summary>
    public static StartupFailure? Describe(Exception error) => error switch
    {
        OptionsValidationException options => new(ExitCodes.Settings, string.Join(Environment.NewLine, options.Failures.Select(f => "  " + f))),
        TemplateException template => new(ExitCodes.Settings, "  " + template.Message),
        InvalidDataException { InnerException: FormatException { InnerException: JsonException json } } file =>
            new(ExitCodes.SettingsFile, $"  {SettingsFilePath(file)}: {SettingsFiles.Describe(json)}.{Environment.NewLine}  Fix the file and start again."),
        IOException { InnerException: AddressInUseException } bind => new(ExitCodes.PortInUse, PortInUse(bind)),
        Metrics.ManagementPortInUseException taken => new(ExitCodes.PortInUse, "  " + taken.Message),
        DataFolderException folder => new(ExitCodes.DataFolder, "  " + folder.Message),
        InstanceLockException held => new(ExitCodes.AlreadyRunning, "  " + held.Message),
        TargetInvocationException { InnerException: { } inner } => Describe(inner),
        InvalidOperationException { InnerException: { } inner } => Describe(inner),
        // One validator that reads other options (the editions' check reads Delivery:Dkim) fails with those options'
        // own failures, which their validation reports as well: each line is said once.
        AggregateException aggregate => aggregate.InnerExceptions.Select(Describe).OfType<StartupFailure>().ToList() is { Count: > 0 } all
            ? new(all[0].ExitCode, string.Join(Environment.NewLine, all.SelectMany(f => f.Message.Split(Environment.NewLine)).Distinct()))
            : null,
        _ => null,
    };

    // The framework names the file only in its message: "Failed to load configuration from file '…'."
    private static string SettingsFilePath(InvalidDataException file) =>
        QuotedPath().Match(file.Message) is { Success: true } match ? match.Groups[1].Value : "a settings file";

    private static string PortInUse(IOException bind)
    {
        string address = Address().Match(bind.Message) is { Success: true } match ? match.Value.TrimEnd(':', '.') : "the configured address";
        string port = Uri.TryCreate(address, UriKind.Absolute, out var uri) ? uri.Port.ToString() : "the port";
        return $"  Port {port} is already in use ({address}): another program, or another Digest, is listening there.{Environment.NewLine}" +
               $"  Stop it, or choose a free port with --urls http://localhost:PORT, or the Urls setting (appsettings.json or the Urls environment variable).";
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedPath();

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Address();
}

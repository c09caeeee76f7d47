using Digest.Rendering;
using Microsoft.Extensions.Options;

namespace Digest.App;

internal static class StartupErrors
{
    /// <summary>
    /// Runs the host; a bad setting or template stops it with a message naming the setting (or file and line)
    /// and the bad value, instead of a stack trace.
    /// </summary>
    public static async Task<int> RunReportingStartupErrorsAsync(this IHost host)
    {
        try
        {
            await host.RunAsync();
            return 0;
        }
        catch (Exception error) when (Describe(error) is { } message)
        {
            Console.Error.WriteLine("Digest cannot start:");
            Console.Error.WriteLine(message);
            return 2;
        }
    }

    /// <summary>A clear message for a configuration or template problem; null for anything else.</summary>
    public static string? Describe(Exception error) => error switch
    {
        OptionsValidationException options => string.Join(Environment.NewLine, options.Failures.Select(f => "  " + f)),
        TemplateException template => "  " + template.Message,
        InvalidOperationException { InnerException: { } inner } => Describe(inner),
        AggregateException aggregate => string.Join(Environment.NewLine, aggregate.InnerExceptions.Select(Describe).OfType<string>()) is { Length: > 0 } all ? all : null,
        _ => null,
    };
}

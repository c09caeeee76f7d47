using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>
/// Builds the "Editions" settings, and keeps the last good ones when appsettings.json is edited into something
/// invalid while the service runs. The stock options factory throws on such a reload and leaves every later read
/// throwing too, which would stop every edition; here the edit is refused with a log message naming the problem
/// and the schedules in force stay. At start there is nothing to fall back to, so a bad setting still stops the
/// service with the validator's message.
/// </summary>
internal sealed class LastGoodEditionsFactory(
    IEnumerable<IConfigureOptions<EditionsOptions>> setups,
    IEnumerable<IPostConfigureOptions<EditionsOptions>> postConfigures,
    IEnumerable<IValidateOptions<EditionsOptions>> validations,
    ILogger<LastGoodEditionsFactory> logger) : IOptionsFactory<EditionsOptions>
{
    private readonly OptionsFactory<EditionsOptions> _factory = new(setups, postConfigures, validations);
    private volatile EditionsOptions? _lastGood;

    public EditionsOptions Create(string name)
    {
        try
        {
            var created = _factory.Create(name);
            _lastGood = created;
            return created;
        }
        catch (Exception error) when (_lastGood is { } lastGood && Problems(error) is { } problems)
        {
            logger.LogError("The edited Editions settings were refused; the schedules in force are kept until the settings are fixed:{NewLine}{Problems}",
                Environment.NewLine, problems);
            return lastGood;
        }
    }

    /// <summary>What is wrong with the edit: validation failures, or a value the binder could not convert (e.g. a word for a number).</summary>
    private static string? Problems(Exception error) => error switch
    {
        OptionsValidationException validation => string.Join(Environment.NewLine, validation.Failures.Select(f => "  " + f)),
        InvalidOperationException conversion => "  " + conversion.Message,
        _ => null,
    };
}

using Cronos;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>Checks every edition at start; each message names the edition, the setting and the bad value.</summary>
public sealed class EditionsOptionsValidator : IValidateOptions<EditionsOptions>
{
    public ValidateOptionsResult Validate(string? name, EditionsOptions options)
    {
        var failures = new List<string>();
        if (options.Count == 0)
            failures.Add("Editions: no edition is configured; add one, e.g. \"daily\": { \"Cron\": \"0 7 * * *\", \"TimeZone\": \"Europe/Berlin\" }");
        foreach (var (edition, settings) in options)
            failures.AddRange(Check(edition, settings));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Check(string edition, EditionOptions settings)
    {
        string at = $"Editions:{edition}";
        if (!System.Text.RegularExpressions.Regex.IsMatch(edition, "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"))
            yield return $"{at}: the edition name '{edition}' must be letters, digits, '-' or '_' (at most 40)";
        string? cronProblem = null;
        try { CronExpression.Parse(settings.Cron, CronFormat.Standard); }
        catch (CronFormatException error) { cronProblem = error.Message; }
        catch (ArgumentNullException) { cronProblem = "it is missing"; }
        if (cronProblem is not null)
            yield return $"{at}:Cron: '{settings.Cron}' is not a five-field cron expression (minute hour day month weekday): {cronProblem}";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone ?? "", out _))
            yield return $"{at}:TimeZone: '{settings.TimeZone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)";
        if (settings.MaxArticles is < 1 or > 200)
            yield return $"{at}:MaxArticles: {settings.MaxArticles} must be between 1 and 200";
        if (settings.Lookback <= TimeSpan.Zero)
            yield return $"{at}:Lookback: '{settings.Lookback}' must be a positive duration such as 7.00:00:00";
        if (string.IsNullOrWhiteSpace(settings.Subject))
            yield return $"{at}:Subject: the subject pattern is empty";
    }
}

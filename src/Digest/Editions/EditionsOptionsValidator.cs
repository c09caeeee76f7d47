using System.Text.RegularExpressions;
using Cronos;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Digest.Editions;

/// <summary>Checks every edition at start; each message names the edition, the setting and the bad value.</summary>
public sealed class EditionsOptionsValidator(IConfiguration? configuration = null) : IValidateOptions<EditionsOptions>
{
    public ValidateOptionsResult Validate(string? name, EditionsOptions options)
    {
        var failures = Unreadable(options).ToList();
        if (options.Count == 0 && failures.Count == 0)
            failures.Add("Editions: no edition is configured; add one, e.g. \"daily\": { \"Cron\": \"0 7 * * *\", \"TimeZone\": \"Europe/Berlin\" }");
        foreach (var (edition, settings) in options)
        {
            failures.AddRange(Check(edition, settings));
            if (!string.IsNullOrWhiteSpace(settings.Audience) && !options.ContainsKey(settings.Audience.Trim()))
                failures.Add($"Editions:{edition}:Audience: '{settings.Audience}' is not an edition; name one of {string.Join(", ", options.Keys)}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Check(string edition, EditionOptions settings)
    {
        string at = $"Editions:{edition}";
        if (!IsName(edition))
            yield return $"{at}: the edition name '{edition}' must be letters, digits, '-' or '_' (at most 40)";
        if (CronProblem(settings.Cron) is { } cronProblem)
            yield return $"{at}:Cron: '{settings.Cron}' is not a five-field cron expression (minute hour day month weekday): {cronProblem}";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone ?? "", out _))
            yield return $"{at}:TimeZone: '{settings.TimeZone}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)";
        if (settings.MaxArticles is < 1 or > 200)
            yield return $"{at}:MaxArticles: {settings.MaxArticles} must be between 1 and 200";
        if (!DigestStrings.IsSupported(settings.Culture))
            yield return $"{at}:Culture: '{settings.Culture}' is not a language digests are written in; use one of {string.Join(", ", DigestStrings.Languages)} (or a region of one, such as de-AT)";
        if (settings.MaxHighlights is < 0 or > 20)
            yield return $"{at}:MaxHighlights: {settings.MaxHighlights} must be between 0 and 20";
        if (settings.MaxLinks is < 0 or > 200)
            yield return $"{at}:MaxLinks: {settings.MaxLinks} must be between 0 and 200";
        if (settings.MinArticles < 1 || settings.MinArticles > Math.Max(1, settings.MaxArticles))
            yield return $"{at}:MinArticles: {settings.MinArticles} must be between 1 and MaxArticles ({settings.MaxArticles})";
        if (!Enum.IsDefined(settings.WhenEmpty))
            yield return $"{at}:WhenEmpty: '{settings.WhenEmpty}' must be Skip or SendNoNews";
        if (!string.IsNullOrWhiteSpace(settings.FromAddress) && EmailAddress.Normalise(settings.FromAddress, out _) is null)
            yield return $"{at}:FromAddress: '{settings.FromAddress}' is not an email address";
        if (!string.IsNullOrWhiteSpace(settings.DeliverAt) && LocalDelivery.TryParseHour(settings.DeliverAt) is null)
            yield return $"{at}:DeliverAt: '{settings.DeliverAt}' is not a local time of day such as 07:00";
        if (settings.CatchUpWindow < TimeSpan.Zero || settings.CatchUpWindow > TimeSpan.FromDays(7))
            yield return $"{at}:CatchUpWindow: '{settings.CatchUpWindow}' must be between 00:00:00 (never catch up) and 7.00:00:00";
        if (settings.Lookback <= TimeSpan.Zero)
            yield return $"{at}:Lookback: '{settings.Lookback}' must be a positive duration such as 7.00:00:00";
        if (!Enum.IsDefined(settings.Review))
            yield return $"{at}:Review: '{settings.Review}' must be None or Required";
        if (settings.ReviewDeadline <= TimeSpan.Zero || settings.ReviewDeadline > TimeSpan.FromDays(7))
            yield return $"{at}:ReviewDeadline: '{settings.ReviewDeadline}' must be a duration after the slot between 00:00:01 and 7.00:00:00, such as 04:00:00";
        if (!Enum.IsDefined(settings.AfterReviewDeadline))
            yield return $"{at}:AfterReviewDeadline: '{settings.AfterReviewDeadline}' must be Skip or SendAnyway";
        if (!Enum.IsDefined(settings.Sections.By))
            yield return $"{at}:Sections:By: '{settings.Sections.By}' must be None, Topic or Source";
        for (int i = 0; i < settings.Sections.Order.Count; i++)
        {
            string section = settings.Sections.Order[i]?.Trim() ?? "";
            if (section.Length is 0 or > Articles.ArticleTopics.MaxLength)
                yield return $"{at}:Sections:Order:{i}: '{section}' must be a topic or source name of 1 to {Articles.ArticleTopics.MaxLength} characters";
            else if (settings.Sections.Order.Take(i).Any(s => string.Equals(s?.Trim(), section, StringComparison.OrdinalIgnoreCase)))
                yield return $"{at}:Sections:Order:{i}: '{section}' is listed twice";
        }
        if (string.IsNullOrWhiteSpace(settings.Subject))
            yield return $"{at}:Subject: the subject pattern is empty";
    }

    /// <summary>
    /// Editions the binder left out because a value could not be converted (a word where a number goes, an unknown
    /// WhenEmpty): it drops such an edition silently, which would stop it without a word.
    /// </summary>
    private IEnumerable<string> Unreadable(EditionsOptions options)
    {
        foreach (var section in configuration?.GetSection(EditionsOptions.SectionName).GetChildren() ?? [])
        {
            if (options.ContainsKey(section.Key))
                continue;
            string? problem = null;
            try { section.Get<EditionOptions>(); }
            catch (InvalidOperationException error) { problem = error.Message; }
            yield return problem ?? $"Editions:{section.Key}: the edition could not be read";
        }
    }

    private static bool IsName(string name) => Regex.IsMatch(name, "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$");

    private static string? CronProblem(string? cron)
    {
        try
        {
            // A cron that parses but names a day that never comes (30 February) would silently never send.
            if (string.IsNullOrWhiteSpace(cron))
                return "it is missing";
            return CronExpression.Parse(cron, CronFormat.Standard).GetNextOccurrence(DateTime.UtcNow) is null
                ? "it never fires" : null;
        }
        // Cronos names the end of the expression as the character '\0', which makes the log a binary file to grep.
        catch (CronFormatException error) { return error.Message.Replace("'\0'", "the end of the expression"); }
    }
}

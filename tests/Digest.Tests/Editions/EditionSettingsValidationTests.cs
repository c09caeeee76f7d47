using Digest.Editions;
using Microsoft.Extensions.Configuration;

namespace Digest.Tests.Editions;

/// <summary>Every edition setting is checked at start, each message naming the edition, the setting and the bad value.</summary>
public sealed class EditionSettingsValidationTests
{
    private static readonly string[] Failures = Validate("one-bad-setting-each.json");

    private static string[] Validate(string fixture)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "editions", fixture), optional: false)
            .Build();
        var editions = new EditionsOptions();
        configuration.GetSection(EditionsOptions.SectionName).Bind(editions);
        return new EditionsOptionsValidator().Validate(null, editions).Failures?.ToArray() ?? [];
    }

    [Theory]
    [InlineData("Editions:badcron:Cron: '0 7 * *' is not a five-field cron expression")]
    [InlineData("Editions:never:Cron: '0 7 30 2 *' is not a five-field cron expression (minute hour day month weekday): it never fires")]
    [InlineData("Editions:badzone:TimeZone: 'Europe/Berlinn' is not a known IANA time zone")]
    [InlineData("Editions:toomany:MaxArticles: 500 must be between 1 and 200")]
    [InlineData("Editions:minovermax:MinArticles: 6 must be between 1 and MaxArticles (5)")]
    [InlineData("Editions:nosubject:Subject: the subject pattern is empty")]
    [InlineData("Editions:badfrom:FromAddress: 'news at example.org' is not an email address")]
    [InlineData("Editions:longcatch:CatchUpWindow: '8.00:00:00' must be between 00:00:00 (never catch up) and 7.00:00:00")]
    [InlineData("Editions:badempty:WhenEmpty: '7' must be Skip or SendNoNews")]
    [InlineData("Editions:bad name!: the edition name 'bad name!' must be letters, digits")]
    [InlineData("Editions:badculture:Culture: 'xx-Nowhere' is not a language digests are written in; use one of en, de (or a region of one, such as de-AT)")]
    [InlineData("Editions:toomanyhl:MaxHighlights: 50 must be between 0 and 20")]
    [InlineData("Editions:badreview:Review: '7' must be None or Required")]
    [InlineData("Editions:longreview:ReviewDeadline: '8.00:00:00' must be a duration after the slot between 00:00:01 and 7.00:00:00")]
    [InlineData("Editions:badafter:AfterReviewDeadline: '9' must be Skip or SendAnyway")]
    public void Validate_BadSetting_NamesEditionSettingAndValue(string expected) =>
        Assert.Single(Failures, failure => failure.StartsWith(expected, StringComparison.Ordinal));

    [Fact]
    public void Validate_EditionUsingEverySetting_Passes() =>
        Assert.DoesNotContain(Failures, failure => failure.StartsWith("Editions:fine", StringComparison.Ordinal));

    [Fact]
    public void Validate_OneFailurePerBadEdition() => Assert.Equal(15, Failures.Length);
}

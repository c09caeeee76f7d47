using Digest.Editions;

namespace Digest.Tests.Editions;

public sealed class EditionsOptionsValidatorTests
{
    private static string? Failure(Action<EditionOptions> change)
    {
        var daily = new EditionOptions { Cron = "0 7 * * *", TimeZone = "Europe/Berlin" };
        change(daily);
        var result = new EditionsOptionsValidator().Validate(null, new EditionsOptions { ["daily"] = daily });
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Validate_GoodEdition_Passes() => Assert.Null(Failure(_ => { }));

    [Fact]
    public void Validate_BadCron_NamesEditionSettingAndValue() =>
        Assert.StartsWith("Editions:daily:Cron: '0 7 * *' is not a five-field cron expression", Failure(e => e.Cron = "0 7 * *"));

    [Fact]
    public void Validate_BadCron_MessageCarriesNoNulCharacter() =>
        Assert.DoesNotContain('\0', Failure(e => e.Cron = "0 7 * *")!);

    [Fact]
    public void Validate_UnknownTimeZone_NamesEditionSettingAndValue() =>
        Assert.StartsWith("Editions:daily:TimeZone: 'Europe/Berlinn' is not a known IANA time zone", Failure(e => e.TimeZone = "Europe/Berlinn"));

    [Fact]
    public void Validate_NoEditions_SaysHowToAddOne()
    {
        var result = new EditionsOptionsValidator().Validate(null, new EditionsOptions());

        Assert.Contains("no edition is configured", result.FailureMessage);
    }
}

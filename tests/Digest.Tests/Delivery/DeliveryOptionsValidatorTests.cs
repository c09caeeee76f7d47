using Digest.Delivery;

namespace Digest.Tests.Delivery;

public sealed class DeliveryOptionsValidatorTests
{
    private static IEnumerable<string> Failures(Action<DeliveryOptions> change)
    {
        var options = new DeliveryOptions { Transport = MailTransportKind.Smtp };
        change(options);
        var result = new DeliveryOptionsValidator(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() }).Validate(null, options);
        return result.Failed ? result.Failures : [];
    }

    [Fact]
    public void Validate_Defaults_Pass() => Assert.Empty(Failures(_ => { }));

    [Fact]
    public void Validate_ClaimTimeoutNotLongerThanSmtpTimeout_SaysBothValuesAndWhy() =>
        Assert.Equal(["Delivery:ClaimTimeout: '00:00:30' must be longer than Delivery:Smtp:Timeout '00:01:00', " +
                      "or a slow send would be taken for a crashed one and sent twice"],
            Failures(o => o.ClaimTimeout = TimeSpan.FromSeconds(30)));

    [Fact]
    public void Validate_BadSecondServer_NamesItsIndexSettingAndValue() =>
        Assert.Equal(["Delivery:Smtp:Servers:1:Connections: 0 must be between 1 and 100", "Delivery:Smtp:Servers:1:Port: 0 is not a TCP port (1-65535)"],
            Failures(o => o.Smtp.Servers = [new SmtpServerOptions { Host = "a.example" }, new SmtpServerOptions { Host = "b.example", Port = 0, Connections = 0 }]).Order());

    [Fact]
    public void Validate_NegativeRates_NameSettingAndValue() =>
        Assert.Equal(["Delivery:Smtp:MaxMessagesPerSecond: -1 must be 0 (no limit) or more", "Delivery:Smtp:TotalMessagesPerSecond: -5 must be 0 (no limit) or more"],
            Failures(o => { o.Smtp.TotalMessagesPerSecond = -5; o.Smtp.MaxMessagesPerSecond = -1; }).Order());

    [Fact]
    public void Validate_TlsSettings_NameTheMissingCaFileAndTheMalformedPin() =>
        Assert.Equal([$"Delivery:Smtp:Servers:0:TrustedCaFile: '{Path.Combine(Path.GetTempPath(), "no-such-ca.pem")}' does not exist",
                      "Delivery:Smtp:Servers:1:CertificateFingerprint: 'AB:CD' is not a SHA-256 fingerprint (64 hex digits, colons allowed)"],
            Failures(o => o.Smtp.Servers = [new SmtpServerOptions { TrustedCaFile = "no-such-ca.pem" }, new SmtpServerOptions { CertificateFingerprint = "AB:CD" }]).Order());

    [Fact]
    public void Backoff_DoublesFromRetryBackoff_UpToMaxRetryBackoff()
    {
        var options = new DeliveryOptions { RetryBackoff = TimeSpan.FromMinutes(1), MaxRetryBackoff = TimeSpan.FromHours(2) };

        Assert.Equal([1, 2, 4, 64, 120, 120], new long[] { 1, 2, 3, 7, 8, 40 }.Select(a => RunSender.Backoff(a, options).TotalMinutes));
    }
}

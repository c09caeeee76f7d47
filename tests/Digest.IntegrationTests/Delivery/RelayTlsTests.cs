using Digest.Delivery;
using Digest.IntegrationTests.Infrastructure;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// A relay whose certificate a company CA issued (no CRL published): refused until the operator trusts that CA or
/// pins the certificate, with a reason that names the setting to change.
/// </summary>
public sealed class RelayTlsTests
{
    private const string Section = "Delivery:Smtp:Servers:0";

    [Fact]
    public async Task CompanyCaCertificate_WithoutTrustSettings_IsRefused_NamingTrustedCaFileAndThePin()
    {
        await using var relay = await TlsRelay.StartAsync();

        var (ledger, received) = await SendAsync(relay, []);

        Assert.Empty(received);
        Assert.All(ledger, entry => Assert.Contains($"set {Section}:TrustedCaFile to that CA's certificate", entry.LastReply));
        Assert.All(ledger, entry => Assert.Contains($"{Section}:CertificateFingerprint = {relay.Fingerprint.Replace(":", "")}", entry.LastReply));
    }

    [Fact]
    public async Task TrustedCaFile_WithRevocationCheckOff_Delivers()
    {
        await using var relay = await TlsRelay.StartAsync();

        var (ledger, received) = await SendAsync(relay, new()
        {
            [$"{Section}:TrustedCaFile"] = relay.CaFile,
            [$"{Section}:CheckCertificateRevocation"] = "false",
        });

        AssertAllDeliveredOnce(ledger, received);
    }

    [Fact]
    public async Task TrustedCaFile_WithRevocationCheckOn_AndNoCrl_IsRefused_NamingCheckCertificateRevocation()
    {
        await using var relay = await TlsRelay.StartAsync();

        var (ledger, received) = await SendAsync(relay, new() { [$"{Section}:TrustedCaFile"] = relay.CaFile });

        Assert.Empty(received);
        Assert.All(ledger, entry => Assert.Contains($"set {Section}:CheckCertificateRevocation to false", entry.LastReply));
    }

    [Fact]
    public async Task PinnedFingerprint_Delivers()
    {
        await using var relay = await TlsRelay.StartAsync();

        var (ledger, received) = await SendAsync(relay, new() { [$"{Section}:CertificateFingerprint"] = relay.Fingerprint.ToLowerInvariant() });

        AssertAllDeliveredOnce(ledger, received);
    }

    [Fact]
    public async Task WrongPin_IsRefused_NamingCertificateFingerprint()
    {
        await using var relay = await TlsRelay.StartAsync();
        string wrong = string.Concat(Enumerable.Repeat("AB", 32));

        var (ledger, received) = await SendAsync(relay, new()
        {
            [$"{Section}:CertificateFingerprint"] = wrong,
            [$"{Section}:TrustedCaFile"] = relay.CaFile, // a pin is stricter than the CA: only that certificate
            [$"{Section}:CheckCertificateRevocation"] = "false",
        });

        Assert.Empty(received);
        Assert.All(ledger, entry => Assert.Contains($"is not the one pinned in {Section}:CertificateFingerprint ({wrong})", entry.LastReply));
    }

    private static void AssertAllDeliveredOnce(IReadOnlyList<LedgerEntry> ledger, IReadOnlyList<ReceivedMessage> received)
    {
        Assert.All(ledger, entry => Assert.Equal(DeliveryStatus.Sent, entry.Status));
        AssertExactlyOnce(ledger, received);
    }

    /// <summary>A run of three subscribers through the relay over STARTTLS, with the given TLS settings.</summary>
    private static async Task<(IReadOnlyList<LedgerEntry> Ledger, IReadOnlyList<ReceivedMessage> Received)> SendAsync(
        TlsRelay relay, Dictionary<string, string?> tls)
    {
        var settings = SmtpSettings(relay.Server.Port);
        settings[$"{Section}:Security"] = "StartTls";
        foreach (var (key, value) in tls)
            settings[key] = value;
        using var started = await StartRunAsync(settings, readers: 3);
        var (host, run) = started;

        await host.Get<RunSender>().SendAsync(run.Id);

        var ledger = await TriedLedgerAsync(host.Services, run.Id);
        Assert.Equal(3, ledger.Count);
        int sent = ledger.Count(e => e.Status == DeliveryStatus.Sent);
        return (ledger, await relay.Server.WaitForAsync(sent, TimeSpan.FromSeconds(10)));
    }
}

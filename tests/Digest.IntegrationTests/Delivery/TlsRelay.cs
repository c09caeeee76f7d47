using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Delivery;

/// <summary>
/// A private relay as companies run them: aiosmtpd requiring STARTTLS (optionally AUTH) with a certificate for
/// 127.0.0.1 issued by a throwaway company CA that publishes no CRL. The CA's PEM is <see cref="CaFile"/>.
/// </summary>
public sealed class TlsRelay : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly TempFolder _folder;

    private TlsRelay(TempFolder folder, SmtpSink server, string fingerprint)
    {
        _folder = folder;
        Server = server;
        Fingerprint = fingerprint;
    }

    public SmtpSink Server { get; }
    public string CaFile => _folder.Combine("company-ca.pem");
    /// <summary>The SHA-256 fingerprint of the relay's certificate, as <c>openssl x509 -fingerprint -sha256</c> prints it.</summary>
    public string Fingerprint { get; }

    public static async Task<TlsRelay> StartAsync(string? user = null, string? password = null)
    {
        var folder = new TempFolder("tls-relay");
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Example Company Internal CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        using var relayKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=relay.example.internal", relayKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var relay = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));

        await File.WriteAllTextAsync(folder.Combine("company-ca.pem"), ca.ExportCertificatePem());
        await File.WriteAllTextAsync(folder.Combine("relay.pem"), relay.ExportCertificatePem());
        await File.WriteAllTextAsync(folder.Combine("relay.key"), relayKey.ExportPkcs8PrivateKeyPem());
        string fingerprint = string.Join(':', relay.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2")));

        string script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "smtp", "tls_relay.py");
        int port = FreePort.Next();
        var server = await SmtpSink.StartProcessAsync("tls-relay", port, dump =>
            [Python, script, port.ToString(), dump, folder.Combine("relay.pem"), folder.Combine("relay.key"), .. user is null ? [] : new[] { user, password! }]);
        return new TlsRelay(folder, server, fingerprint);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _folder.Dispose();
    }
}

using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;

namespace Digest.Delivery;


/// <summary>
/// Which certificates one SMTP server may present: the system's trusted CAs, plus the server's own
/// <c>TrustedCaFile</c>, or exactly the certificate pinned by <c>CertificateFingerprint</c>; with or without the
/// revocation check. Applied through MailKit's public validation callback, one decision per connection.
/// </summary>
internal sealed class RelayTrust
{
    private readonly string _section;
    private readonly SmtpServerOptions _server;
    private readonly X509Certificate2Collection _authorities = [];
    private readonly string? _pin;

    /// <summary>The server's settings section, e.g. <c>Delivery:Smtp:Servers:1</c>, for messages that name a setting.</summary>
    public string Section => _section;

    public RelayTrust(string section, SmtpServerOptions server, string contentRoot)
    {
        _section = section;
        _server = server;
        if (!string.IsNullOrWhiteSpace(server.TrustedCaFile))
            _authorities.ImportFromPemFile(Path.GetFullPath(server.TrustedCaFile, contentRoot));
        _pin = Normalise(server.CertificateFingerprint);
    }

    /// <summary>The setting problems of one server's TLS settings, for the options validator.</summary>
    public static IEnumerable<string> Problems(string section, SmtpServerOptions server, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(server.TrustedCaFile))
        {
            string path = Path.GetFullPath(server.TrustedCaFile, contentRoot);
            string? problem = null;
            if (!File.Exists(path))
                problem = $"'{path}' does not exist";
            else
            {
                try
                {
                    var certificates = new X509Certificate2Collection();
                    certificates.ImportFromPemFile(path);
                    if (certificates.Count == 0)
                        problem = $"'{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
                }
                catch (CryptographicException error)
                {
                    problem = $"'{path}' is not a PEM certificate file: {error.Message}";
                }
            }
            if (problem is not null)
                yield return $"{section}:TrustedCaFile: {problem}";
        }
        if (Normalise(server.CertificateFingerprint) is { } pin && (pin.Length != 64 || !pin.All(char.IsAsciiHexDigit)))
            yield return $"{section}:CertificateFingerprint: '{server.CertificateFingerprint}' is not a SHA-256 fingerprint (64 hex digits, colons allowed)";
    }

    /// <summary>
    /// Sets the client's certificate check for one connection; the returned function tells why the certificate was
    /// refused, if it was.
    /// </summary>
    public Func<string?> Apply(SmtpClient client)
    {
        string? refusal = null;
        client.CheckCertificateRevocation = _server.CheckCertificateRevocation;
        client.ServerCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            refusal = certificate is null ? "the server presented no certificate" : Refusal(new X509Certificate2(certificate), chain, errors);
            return refusal is null;
        };
        return () => refusal;
    }

    /// <summary>Why this certificate is refused, naming the setting to change; null when it is trusted.</summary>
    private string? Refusal(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        string fingerprint = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (_pin is not null)
            return _pin == fingerprint ? null
                : $"its certificate (SHA-256 {fingerprint}, {certificate.Subject}) is not the one pinned in {_section}:CertificateFingerprint ({_pin}); " +
                  "if the relay's certificate was renewed, pin the new one";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"its certificate is for {certificate.GetNameInfo(X509NameType.DnsName, false)}, not {_server.Host}: set {_section}:Host to the name in the certificate";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && _authorities.Count > 0)
            chain = ChainToOwnAuthorities(certificate, chain);
        else if (errors == SslPolicyErrors.None)
            return null;
        var problems = chain?.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).ToList() ?? [];
        if (problems.Count == 0)
            return errors == SslPolicyErrors.None || _authorities.Count > 0 ? null : $"its certificate was refused ({errors})";
        if (problems.All(p => p.Status is X509ChainStatusFlags.RevocationStatusUnknown or X509ChainStatusFlags.OfflineRevocation))
            return $"the revocation of its certificate ({certificate.Subject}) could not be checked: its CA publishes no CRL or OCSP that answers. " +
                   $"For a company CA without a CRL, set {_section}:CheckCertificateRevocation to false";
        string what = string.Join("; ", problems.Select(p => p.StatusInformation.Trim()).Distinct());
        return $"its certificate ({certificate.Subject}, issued by {certificate.Issuer}) is not trusted: {what}. " +
               (_authorities.Count > 0
                   ? $"It does not chain to the CA in {_section}:TrustedCaFile; check that file, or "
                   : $"If a company CA issued it, set {_section}:TrustedCaFile to that CA's certificate (PEM), or ") +
               $"pin this certificate with {_section}:CertificateFingerprint = {fingerprint}";
    }

    /// <summary>The chain built again with the server's own CA file as its trust anchors.</summary>
    private X509Chain ChainToOwnAuthorities(X509Certificate2 certificate, X509Chain? presented)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = _server.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        if (presented is not null)
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        chain.Build(certificate);
        return chain;
    }

    private static string? Normalise(string? fingerprint) =>
        string.IsNullOrWhiteSpace(fingerprint) ? null : fingerprint.Replace(":", "").Replace(" ", "").Trim().ToUpperInvariant();
}

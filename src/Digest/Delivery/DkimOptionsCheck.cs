using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Digest.Delivery;

/// <summary>Start-up checks of "Delivery:Dkim": a signing key that cannot sign, or a domain DMARC would not align, stops start-up.</summary>
internal static partial class DkimOptionsCheck
{
    /// <summary>Receivers treat shorter RSA keys as unsigned.</summary>
    private const int MinimumKeyBits = 1024;

    public static IEnumerable<string> Problems(DkimOptions dkim, string sendingDomain, string contentRoot)
    {
        if (!dkim.Enabled)
        {
            if (!string.IsNullOrWhiteSpace(dkim.Domain) || !string.IsNullOrWhiteSpace(dkim.Selector))
                yield return "Delivery:Dkim: Domain and Selector are set but KeyFile is empty; set KeyFile to sign, or remove the section";
            yield break;
        }
        if (string.IsNullOrWhiteSpace(dkim.Selector) || !DnsLabels().IsMatch(dkim.Selector))
            yield return $"Delivery:Dkim:Selector: '{dkim.Selector}' is not a DNS selector (letters, digits, '-' and '.')";
        if (string.IsNullOrWhiteSpace(dkim.Domain) || !DnsLabels().IsMatch(dkim.Domain))
            yield return $"Delivery:Dkim:Domain: '{dkim.Domain}' is not a domain name";
        else if (!Aligns(dkim.Domain, sendingDomain))
            yield return $"Delivery:Dkim:Domain: '{dkim.Domain}' is neither the From domain '{sendingDomain}' nor a parent of it, so DMARC would fail";
        if (KeyProblem(DkimMessageSigner.KeyPath(dkim, contentRoot)) is { } problem)
            yield return $"Delivery:Dkim:KeyFile: {problem}";
    }

    internal static bool Aligns(string signingDomain, string sendingDomain) =>
        sendingDomain.Equals(signingDomain, StringComparison.OrdinalIgnoreCase)
        || sendingDomain.EndsWith("." + signingDomain, StringComparison.OrdinalIgnoreCase);

    private static string? KeyProblem(string path)
    {
        if (!File.Exists(path))
            return $"'{path}' does not exist";
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(path));
            if (rsa.KeySize < MinimumKeyBits)
                return $"'{path}' holds a {rsa.KeySize}-bit key; receivers require at least {MinimumKeyBits} bits (2048 recommended)";
            rsa.ExportParameters(includePrivateParameters: true); // a public key alone cannot sign
            return null;
        }
        catch (Exception error) when (error is ArgumentException or CryptographicException or IOException or UnauthorizedAccessException)
        {
            return $"'{path}' is not a readable PEM RSA private key ({error.Message})";
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")]
    private static partial Regex DnsLabels();
}

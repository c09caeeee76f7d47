using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Digest.Delivery;

/// <summary>Start-up checks of "Delivery:Dkim": a signing key that cannot sign stops start-up.</summary>
internal static partial class DkimOptionsCheck
{
    /// <summary>Receivers treat shorter RSA keys as unsigned.</summary>
    private const int MinimumKeyBits = 1024;

    public static IEnumerable<string> Problems(DkimOptions dkim, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(dkim.KeyFile) && (!string.IsNullOrWhiteSpace(dkim.Domain) || !string.IsNullOrWhiteSpace(dkim.Selector)))
            yield return "Delivery:Dkim: Domain and Selector are set but KeyFile is empty; set KeyFile to sign, or remove the section";
        var domains = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (setting, key) in dkim.AllKeys)
        {
            if (string.IsNullOrWhiteSpace(key.Selector) || !DnsLabels().IsMatch(key.Selector.Trim()))
                yield return $"{setting}:Selector: '{key.Selector}' is not a DNS selector (letters, digits, '-' and '.')";
            if (string.IsNullOrWhiteSpace(key.Domain) || !DnsLabels().IsMatch(key.Domain.Trim()))
                yield return $"{setting}:Domain: '{key.Domain}' is not a domain name";
            else if (!domains.TryAdd(key.Domain.Trim(), setting))
                yield return $"{setting}:Domain: '{key.Domain}' already has a key ({domains[key.Domain.Trim()]}); give each domain one key";
            if (string.IsNullOrWhiteSpace(key.KeyFile))
                yield return $"{setting}:KeyFile: no key file is set";
            else if (KeyProblem(DkimMessageSigner.KeyPath(key, contentRoot)) is { } problem)
                yield return $"{setting}:KeyFile: {problem}";
        }
    }

    /// <summary>
    /// An edition whose From domain no key covers would go out unsigned or misaligned, and receivers applying DMARC
    /// would reject that edition alone: name it, and what would cover it.
    /// </summary>
    public static string? Uncovered(DkimOptions dkim, string edition, string fromDomain) =>
        !dkim.Enabled || DkimOptions.KeyFor(dkim.AllKeys.Select(key => key.Key), key => key.Domain, fromDomain) is not null
            ? null
            : $"Delivery:Dkim: edition '{edition}' sends from {fromDomain}, which no key covers " +
              $"(keys for {string.Join(", ", dkim.AllKeys.Select(key => key.Key.Domain))}); add a key to Delivery:Dkim:Keys " +
              $"whose Domain is {fromDomain} or a parent of it, or DMARC would fail for this edition";

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

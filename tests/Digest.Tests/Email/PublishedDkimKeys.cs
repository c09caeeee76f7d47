using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Digest.Tests.Email;

/// <summary>
/// Stands in for DNS: the test domains each publish their test key under the test selector. Verifies a message the
/// way a receiver does, with MimeKit's DkimVerifier.
/// </summary>
internal sealed class PublishedDkimKeys : DkimPublicKeyLocatorBase
{
    public const string News = "news.example.org";
    public const string Letters = "letters.example.net";
    public const string Selector = "digest2026";

    public static string KeyFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "email", "dkim");

    public static string Record(string domain) => File.ReadAllText(Path.Combine(KeyFolder, domain switch
    {
        News => "test-only-not-secret.dns.txt",
        Letters => "test-only-not-secret-letters.dns.txt",
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "no test key for this domain"),
    })).Trim();

    public static bool Verifies(MimeMessage message) =>
        new DkimVerifier(new PublishedDkimKeys()).Verify(message, message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)]);

    /// <summary>The message as a receiver gets it: written to the wire and read back.</summary>
    public static async Task<MimeMessage> OverTheWireAsync(MimeMessage sent)
    {
        using var wire = new MemoryStream();
        await sent.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, wire);
        wire.Position = 0;
        return await MimeMessage.LoadAsync(wire);
    }

    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        selector == Selector && domain is News or Letters
            ? GetPublicKey(Record(domain))
            : throw new InvalidOperationException($"no TXT record at {selector}._domainkey.{domain}");

    public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
}

using Digest.Delivery;
using Microsoft.Extensions.Hosting.Internal;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Digest.Tests.Email;

public sealed class DkimSigningTests : IDisposable
{
    private const string Domain = PublishedDkimKeys.News;
    private const string Selector = PublishedDkimKeys.Selector;

    private static string KeyFolder => PublishedDkimKeys.KeyFolder;
    private static string KeyFile => Path.Combine(KeyFolder, "test-only-not-secret.private.pem");
    private static string DnsRecord => PublishedDkimKeys.Record(Domain);

    private readonly EmailSamples _samples = new(new Dictionary<string, string?>
    {
        ["Delivery:Dkim:KeyFile"] = KeyFile,
        ["Delivery:Dkim:Domain"] = Domain,
        ["Delivery:Dkim:Selector"] = Selector,
    });

    /// <summary>The signed digest as a receiver gets it: written to the wire and read back.</summary>
    private async Task<MimeMessage> ReceivedAsync() =>
        await PublishedDkimKeys.OverTheWireAsync(await _samples.MessageAsync(EmailSamples.Articles(4)));

    private static bool Verifies(MimeMessage message) => PublishedDkimKeys.Verifies(message);

    [Fact]
    public async Task Signed_Digest_VerifiesWithMimeKitDkimVerifier()
    {
        Assert.True(Verifies(await ReceivedAsync()));
    }

    [Fact]
    public async Task Signature_IsRsaSha256RelaxedAndCoversEveryListHeader()
    {
        var message = await ReceivedAsync();
        var tags = message.Headers[HeaderId.DkimSignature]!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(tag => tag.Split('=', 2)).ToDictionary(pair => pair[0], pair => string.Concat(pair[1].Where(c => !char.IsWhiteSpace(c))));

        Assert.Equal("rsa-sha256", tags["a"]);
        Assert.Equal("relaxed/relaxed", tags["c"]);
        Assert.Equal(Domain, tags["d"]);
        Assert.Equal(Selector, tags["s"]);
        Assert.Equal(
            ["date", "from", "list-id", "list-unsubscribe", "list-unsubscribe-post", "message-id", "subject", "to"],
            tags["h"].ToLowerInvariant().Split(':').Order());
    }

    [Theory]
    [InlineData("Subject", "The Daily Digest — you have won")]
    [InlineData("List-Unsubscribe", "<https://elsewhere.example.net/u/x>")]
    [InlineData("List-Unsubscribe-Post", "List-Unsubscribe=Two-Click")]
    [InlineData("From", "Someone Else <digest@news.example.org>")]
    public async Task Verify_AfterASignedHeaderIsChanged_Fails(string header, string value)
    {
        var message = await ReceivedAsync();
        Assert.True(Verifies(message));

        message.Headers[header] = value;

        Assert.False(Verifies(message));
    }

    [Fact]
    public async Task Verify_AfterTheBodyIsChanged_Fails()
    {
        var message = await ReceivedAsync();

        var text = ((MultipartAlternative)message.Body!).OfType<TextPart>().First();
        text.SetText("utf-8", text.Text.Replace("Read the article", "Claim your prize", StringComparison.Ordinal));

        Assert.False(Verifies(message));
    }

    [Theory]
    [InlineData("missing.pem", Domain, Selector, "Delivery:Dkim:KeyFile: '")]
    [InlineData("public.pem", Domain, Selector, "is not a readable PEM RSA private key")]
    [InlineData(null, Domain, "bad selector", "Delivery:Dkim:Selector: 'bad selector' is not a DNS selector")]
    public void Validate_BadDkimSetting_NamesSettingAndValue(string? keyFile, string domain, string selector, string expected)
    {
        string folder = Directory.CreateTempSubdirectory("digest-dkim-").FullName;
        File.WriteAllText(Path.Combine(folder, "public.pem"), PublicKeyPem());
        var options = new DeliveryOptions
        {
            FromAddress = "digest@news.example.org",
            Dkim = new DkimOptions { KeyFile = keyFile ?? KeyFile, Domain = domain, Selector = selector },
        };

        var result = new DeliveryOptionsValidator(new HostingEnvironment { ContentRootPath = folder }).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("digest@news.example.org", true)]
    [InlineData("weekly@letters.news.example.org", true)]
    [InlineData("weekly@letters.example.net", false)]
    public void Validate_TheSingleKeyOfOlderSettings_MustCoverEveryEditionsFromDomain(string from, bool valid)
    {
        var delivery = new DeliveryOptions { Dkim = new DkimOptions { KeyFile = KeyFile, Domain = Domain, Selector = Selector } };
        var editions = new Digest.Editions.EditionsOptions { ["weekly"] = new() { FromAddress = from } };

        var result = new EditionSenderDkimValidator(Microsoft.Extensions.Options.Options.Create(delivery)).Validate(null, editions);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
            Assert.Contains("Delivery:Dkim: edition 'weekly' sends from letters.example.net, which no key covers (keys for news.example.org)", result.FailureMessage);
    }

    private static string PublicKeyPem()
    {
        string der = DnsRecord[(DnsRecord.IndexOf("p=", StringComparison.Ordinal) + 2)..];
        return $"-----BEGIN PUBLIC KEY-----\n{der}\n-----END PUBLIC KEY-----\n";
    }

    public void Dispose() => _samples.Dispose();
}

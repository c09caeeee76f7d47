using Digest.Delivery;
using Digest.Editions;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Tests.Email;

/// <summary>Editions sending from several domains: each signed with its own domain's key, so DMARC aligns for each.</summary>
public sealed class DkimDomainsTests
{
    private const string News = PublishedDkimKeys.News;
    private const string Letters = PublishedDkimKeys.Letters;
    private const string Selector = PublishedDkimKeys.Selector;

    private static string KeyFolder => PublishedDkimKeys.KeyFolder;
    private static string NewsKey => Path.Combine(KeyFolder, "test-only-not-secret.private.pem");
    private static string LettersKey => Path.Combine(KeyFolder, "test-only-not-secret-letters.private.pem");

    private static DkimKeyOptions Key(string domain, string? keyFile = null) => new() { Domain = domain, Selector = Selector, KeyFile = keyFile ?? NewsKey };

    [Theory]
    [InlineData("news.example.org", "news.example.org")]
    [InlineData("NEWS.example.org", "news.example.org")]
    [InlineData("deep.news.example.org", "news.example.org")]
    [InlineData("shop.example.org", "example.org")]
    [InlineData("example.org", "example.org")]
    [InlineData("letters.example.net", "letters.example.net")]
    [InlineData("example.net", null)]
    [InlineData("badexample.org", null)]
    public void KeyFor_ChoosesTheFromDomainsOwnKey_ElseItsClosestParent(string fromDomain, string? expected)
    {
        // The parent's key comes first: the closest domain wins, not the first that aligns.
        DkimKeyOptions[] keys = [Key("example.org"), Key(News), Key(Letters)];

        var chosen = DkimOptions.KeyFor(keys, key => key.Domain, fromDomain);

        Assert.Equal(expected, chosen?.Domain);
    }

    [Fact]
    public void Validate_EditionFromADomainNoKeyCovers_StopsNamingTheEditionAndItsDomain()
    {
        var delivery = new DeliveryOptions { FromAddress = "digest@news.example.org", Dkim = new DkimOptions { Keys = [Key(News)] } };
        var editions = new EditionsOptions
        {
            ["daily"] = new(),
            ["weekly"] = new() { FromAddress = "weekly@letters.example.net" },
        };

        var result = new EditionSenderDkimValidator(Options.Create(delivery)).Validate(null, editions);

        Assert.True(result.Failed);
        Assert.Equal(
            "Delivery:Dkim: edition 'weekly' sends from letters.example.net, which no key covers (keys for news.example.org); " +
            "add a key to Delivery:Dkim:Keys whose Domain is letters.example.net or a parent of it, or DMARC would fail for this edition",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_EditionOnTheDeliveryFromAddress_NeedsAKeyForThatDomainToo()
    {
        var delivery = new DeliveryOptions { FromAddress = "digest@news.example.org", Dkim = new DkimOptions { Keys = [Key(Letters)] } };
        var editions = new EditionsOptions { ["daily"] = new(), ["weekly"] = new() { FromAddress = "weekly@letters.example.net" } };

        var result = new EditionSenderDkimValidator(Options.Create(delivery)).Validate(null, editions);

        Assert.StartsWith("Delivery:Dkim: edition 'daily' sends from news.example.org, which no key covers", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_EveryEditionCovered_Passes_AndWithoutKeysNothingIsChecked()
    {
        var editions = new EditionsOptions { ["daily"] = new(), ["weekly"] = new() { FromAddress = "weekly@letters.example.net" } };
        var signing = new DeliveryOptions { FromAddress = "digest@news.example.org", Dkim = new DkimOptions { Keys = [Key(News), Key(Letters)] } };
        var unsigned = new DeliveryOptions { FromAddress = "digest@news.example.org" };

        Assert.True(new EditionSenderDkimValidator(Options.Create(signing)).Validate(null, editions).Succeeded);
        Assert.True(new EditionSenderDkimValidator(Options.Create(unsigned)).Validate(null, editions).Succeeded);
    }

    [Fact]
    public void Validate_BadKeyInTheList_NamesItsPlaceInTheList()
    {
        var options = new DeliveryOptions
        {
            FromAddress = "digest@news.example.org",
            Dkim = new DkimOptions { Keys = [Key(News), Key(Letters, "missing.pem"), Key("News.example.org"), new() { Domain = "x.example" }] },
        };

        var result = new DeliveryOptionsValidator(new HostingEnvironment { ContentRootPath = KeyFolder }).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Delivery:Dkim:Keys:1:KeyFile: '{Path.Combine(KeyFolder, "missing.pem")}' does not exist", result.Failures!);
        Assert.Contains("Delivery:Dkim:Keys:2:Domain: 'News.example.org' already has a key (Delivery:Dkim:Keys:0); give each domain one key", result.Failures!);
        Assert.Contains("Delivery:Dkim:Keys:3:Selector: '' is not a DNS selector (letters, digits, '-' and '.')", result.Failures!);
        Assert.Contains("Delivery:Dkim:Keys:3:KeyFile: no key file is set", result.Failures!);
        Assert.Equal(4, result.Failures!.Count());
    }

    [Fact]
    public void AllKeys_TheSingleKeyOfOlderSettings_IsOneMoreKey()
    {
        var dkim = new DkimOptions { Keys = [Key(Letters, LettersKey)], KeyFile = NewsKey, Domain = News, Selector = Selector };

        Assert.Equal([("Delivery:Dkim:Keys:0", Letters), ("Delivery:Dkim", News)], dkim.AllKeys.Select(k => (k.Setting, k.Key.Domain)));
    }

    [Fact]
    public async Task Build_TwoEditionsFromTwoDomains_EachSignedAndListedOnItsOwnDomain()
    {
        using var samples = new EmailSamples(new Dictionary<string, string?>
        {
            ["Delivery:Dkim:Keys:0:Domain"] = News,
            ["Delivery:Dkim:Keys:0:Selector"] = Selector,
            ["Delivery:Dkim:Keys:0:KeyFile"] = NewsKey,
            ["Delivery:Dkim:Keys:1:Domain"] = Letters,
            ["Delivery:Dkim:Keys:1:Selector"] = Selector,
            ["Delivery:Dkim:Keys:1:KeyFile"] = LettersKey,
            ["Editions:weekly:Title"] = "The Weekly Letter",
            ["Editions:weekly:Cron"] = "0 8 * * 1",
            ["Editions:weekly:TimeZone"] = "Europe/Berlin",
            ["Editions:weekly:FromAddress"] = "weekly@letters.example.net",
        });
        var view = await samples.ComposeAsync(EmailSamples.Articles(2));
        var rendered = await samples.RenderAsync(view);
        var factory = samples.Get<MessageFactory>();

        var daily = await PublishedDkimKeys.OverTheWireAsync(factory.Build(new Envelope("digest.1.7@news.example.org", EmailSamples.Reader, "daily", "The Daily Digest", view.Recipient.UnsubscribeUrl), "Daily", rendered));
        var weekly = await PublishedDkimKeys.OverTheWireAsync(factory.Build(new Envelope("digest.2.7@letters.example.net", EmailSamples.Reader, "weekly", "The Weekly Letter", view.Recipient.UnsubscribeUrl), "Weekly", rendered));

        Assert.Equal((News, News), (SigningDomain(daily), daily.From.Mailboxes.Single().Domain));
        Assert.Equal((Letters, Letters), (SigningDomain(weekly), weekly.From.Mailboxes.Single().Domain));
        Assert.Equal("\"The Weekly Letter\" <weekly.letters.example.net>", weekly.Headers[HeaderId.ListId]);
        Assert.Equal("\"The Daily Digest\" <daily.news.example.org>", daily.Headers[HeaderId.ListId]);
        Assert.True(PublishedDkimKeys.Verifies(daily), "the daily edition verifies with news.example.org's published key");
        Assert.True(PublishedDkimKeys.Verifies(weekly), "the weekly edition verifies with letters.example.net's published key");
    }

    private static string SigningDomain(MimeMessage message) =>
        message.Headers[HeaderId.DkimSignature]!.Split(';', StringSplitOptions.TrimEntries).Single(tag => tag.StartsWith("d=", StringComparison.Ordinal))[2..];
}

using Digest.Feedback;
using Digest.Tests.Email;

namespace Digest.Tests.Feedback;

public sealed class ReturnPathTests
{
    [Fact]
    public void For_GivesASignedVerpAddress_ThatReadsBackAsTheCopy()
    {
        using var samples = new EmailSamples();
        var returnPath = samples.Get<ReturnPath>();

        var address = returnPath.For(12, 34)!;

        Assert.Matches(@"^bounces\+12-34-[a-z2-7]{13}@news\.example\.org$", address.Address);
        Assert.True(address.LocalPart.Length <= 64);
        Assert.Equal(new SentCopy(12, 34), returnPath.Read(address.Address));
        Assert.Equal(new SentCopy(12, 34), returnPath.Read(address.Address.ToUpperInvariant())); // a relay that folds case
    }

    [Fact]
    public void For_LongestIdsAndLocalPart_StayWithin64Octets()
    {
        using var samples = new EmailSamples(new Dictionary<string, string?> { ["Feedback:ReturnPath:LocalPart"] = "bouncebox1" });

        var address = samples.Get<ReturnPath>().For(long.MaxValue, long.MaxValue)!;

        Assert.Equal(64, address.LocalPart.Length);
    }

    [Fact]
    public void Read_RefusesAnAlteredSubscriber()
    {
        using var samples = new EmailSamples();
        var returnPath = samples.Get<ReturnPath>();
        string genuine = returnPath.For(12, 34)!.Address;

        Assert.Null(returnPath.Read(genuine.Replace("+12-34-", "+12-35-", StringComparison.Ordinal)));
        Assert.Null(returnPath.Read("bounces+12-34-aaaaaaaaaaaaa@news.example.org"));
    }

    [Fact]
    public void For_WhenDisabled_LeavesTheEnvelopeSenderToTheTransport()
    {
        using var samples = new EmailSamples(new Dictionary<string, string?> { ["Feedback:ReturnPath:Enabled"] = "false" });

        Assert.Null(samples.Get<ReturnPath>().For(12, 34));
    }

    [Fact]
    public void For_UsesTheConfiguredLocalPartAndDomain()
    {
        using var samples = new EmailSamples(new Dictionary<string, string?>
        {
            ["Feedback:ReturnPath:LocalPart"] = "rp",
            ["Feedback:ReturnPath:Domain"] = "bounce.example.net",
        });

        Assert.Matches(@"^rp\+1-2-[a-z2-7]{13}@bounce\.example\.net$", samples.Get<ReturnPath>().For(1, 2)!.Address);
    }
}

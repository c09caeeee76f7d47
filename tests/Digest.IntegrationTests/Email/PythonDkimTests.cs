using System.Text;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Email;

/// <summary>An independent verifier, Debian's python3-dkim, checks the signature on what the app actually sends.</summary>
public sealed class PythonDkimTests
{
    private const string Python = "/usr/bin/python3"; // Debian's, where python3-dkim is installed
    private const string Domain = "news.example.org";
    private const string Selector = "digest2026";

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    private static Dictionary<string, string?> Signing => new()
    {
        ["Delivery:Dkim:KeyFile"] = Fixture("dkim", "test-only-not-secret.private.pem"),
        ["Delivery:Dkim:Domain"] = Domain,
        ["Delivery:Dkim:Selector"] = Selector,
    };

    [Fact]
    public async Task Dkimpy_VerifiesTheSentDigest_AndRejectsItOnceASignedHeaderChanges()
    {
        byte[] eml = await SentDigest.SendAsync(Signing);
        using var folder = new TempFolder("digest-dkimpy");
        string text = Encoding.ASCII.GetString(eml);
        string unsubscribeLine = text.Split("\r\n").First(line => line.StartsWith("List-Unsubscribe-Post:", StringComparison.Ordinal));

        var signed = await VerifyAsync(folder, "signed.eml", text);
        var tampered = await VerifyAsync(folder, "tampered.eml", text.Replace(unsubscribeLine, "List-Unsubscribe-Post: List-Unsubscribe=Never", StringComparison.Ordinal));

        Assert.True(signed.ExitCode == 0, $"dkimpy rejected the signed digest: {signed.Output}{signed.Error}");
        Assert.Equal("pass", signed.Output.Trim());
        Assert.True(tampered.ExitCode == 1, $"dkimpy accepted a digest whose List-Unsubscribe-Post was changed: {tampered.Output}{tampered.Error}");
    }

    [Fact]
    public async Task Dkimpy_VerifiesTheDigestAsAnSmtpServerReceivedIt()
    {
        await using var sink = await SmtpSink.StartAsync();
        byte[] received = await SentDigest.SendAsync(Signing, sink);
        using var folder = new TempFolder("digest-dkimpy");

        var result = await VerifyAsync(folder, "received.eml", Encoding.ASCII.GetString(received));

        Assert.True(result.ExitCode == 0, $"dkimpy rejected the digest MailKit delivered: {result.Output}{result.Error}");
    }

    [Fact]
    public async Task Dkimpy_VerifiesEveryCopyOfARun_EachSignedForItsOwnRecipient()
    {
        await using var sink = await SmtpSink.StartAsync();
        var settings = new Dictionary<string, string?>(Signing) { ["Delivery:Smtp:Connections"] = "2" };
        using var host = DigestTestHost.SendingTo(sink, settings);
        _ = host.Server;
        await host.DropArticleAsync("email-01-library.txt");
        // More readers than a run keeps message drafts: each draft carries several copies, one after another.
        string[] readers = Enumerable.Range(1, 24).Select(i => $"reader{i}@example.com").ToArray();
        foreach (string reader in readers)
            await host.Get<SubscriberStore>().AddConfirmedAsync(reader, $"Reader {reader[6..^12]}", ["daily"]);

        await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        var received = await sink.WaitForAsync(readers.Length, TimeSpan.FromSeconds(30));
        var result = await ExternalTool.RunAsync(Python, [VerifyScript, DnsRecord, Selector, Domain, .. received.Select(r => r.File)]);

        Assert.True(result.ExitCode == 0, $"dkimpy rejected a copy: {result.Output}{result.Error}");
        Assert.All(received, r => Assert.Single(r.Message.Headers, h => h.Id == MimeKit.HeaderId.DkimSignature));
        Assert.Equal(readers.Order(), received.Select(r => Assert.Single(r.Message.To.Mailboxes).Address).Order());
        Assert.All(received, r => Assert.Equal(r.Recipients, [Assert.Single(r.Message.To.Mailboxes).Address]));
        Assert.Equal(readers.Length, received.Select(r => r.Message.Headers[MimeKit.HeaderId.ListUnsubscribe]).Distinct().Count());
    }

    [Fact]
    public async Task Dkimpy_VerifiesTwoEditionsFromTwoDomains_EachWithItsOwnDomainsKey_MessageIdAndListIdOnThatDomain()
    {
        await using var sink = await SmtpSink.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Delivery:Dkim:Keys:0:Domain"] = Domain,
            ["Delivery:Dkim:Keys:0:Selector"] = Selector,
            ["Delivery:Dkim:Keys:0:KeyFile"] = Fixture("dkim", "test-only-not-secret.private.pem"),
            ["Delivery:Dkim:Keys:1:Domain"] = LettersDomain,
            ["Delivery:Dkim:Keys:1:Selector"] = Selector,
            ["Delivery:Dkim:Keys:1:KeyFile"] = Fixture("dkim", "test-only-not-secret-letters.private.pem"),
            ["Editions:weekly:Title"] = "The Weekly Letter",
            ["Editions:weekly:Cron"] = "0 8 1 1 *",
            ["Editions:weekly:TimeZone"] = "Europe/Berlin",
            ["Editions:weekly:FromAddress"] = $"weekly@{LettersDomain}",
        };
        using var host = DigestTestHost.SendingTo(sink, settings);
        _ = host.Server;
        await host.DropArticleAsync("email-01-library.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana Lima", ["daily", "weekly"]);

        await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);
        await host.Get<EditionJobs>().SendNowAsync("weekly", CancellationToken.None);
        var received = await sink.WaitForAsync(2, TimeSpan.FromSeconds(30));

        Assert.Equal(2, received.Count);
        var daily = Assert.Single(received, r => r.Message.From.Mailboxes.Single().Domain == Domain);
        var weekly = Assert.Single(received, r => r.Message.From.Mailboxes.Single().Domain == LettersDomain);
        Assert.Matches(@"^digest\.[0-9]+\.[0-9]+@news\.example\.org$", daily.Message.MessageId);
        Assert.Matches(@"^digest\.[0-9]+\.[0-9]+@letters\.example\.net$", weekly.Message.MessageId);
        Assert.Equal("\"The Daily Digest\" <daily.news.example.org>", daily.Message.Headers[MimeKit.HeaderId.ListId]);
        Assert.Equal("\"The Weekly Letter\" <weekly.letters.example.net>", weekly.Message.Headers[MimeKit.HeaderId.ListId]);
        var dailyResult = await ExternalTool.RunAsync(Python, [VerifyScript, DnsRecord, Selector, Domain, daily.File]);
        var weeklyResult = await ExternalTool.RunAsync(Python, [VerifyScript, LettersDnsRecord, Selector, LettersDomain, weekly.File]);
        // Signed by its own domain, not the other's: with only news.example.org's key published, the weekly fails.
        var weeklyWithTheOtherKey = await ExternalTool.RunAsync(Python, [VerifyScript, DnsRecord, Selector, Domain, weekly.File]);
        Assert.True(dailyResult.ExitCode == 0, $"dkimpy rejected the daily edition: {dailyResult.Output}{dailyResult.Error}");
        Assert.True(weeklyResult.ExitCode == 0, $"dkimpy rejected the weekly edition: {weeklyResult.Output}{weeklyResult.Error}");
        Assert.Equal(1, weeklyWithTheOtherKey.ExitCode);
    }

    private const string LettersDomain = "letters.example.net";

    private static string LettersDnsRecord => Fixture("dkim", "test-only-not-secret-letters.dns.txt");

    private static string VerifyScript => Path.Combine(AppContext.BaseDirectory, "Email", "verify_dkim.py");

    private static string DnsRecord => Fixture("dkim", "test-only-not-secret.dns.txt");

    private static async Task<ProcessResult> VerifyAsync(TempFolder folder, string name, string message)
    {
        string path = folder.Combine(name);
        await File.WriteAllTextAsync(path, message, Encoding.ASCII);
        return await ExternalTool.RunAsync(Python, [VerifyScript, DnsRecord, Selector, Domain, path]);
    }
}

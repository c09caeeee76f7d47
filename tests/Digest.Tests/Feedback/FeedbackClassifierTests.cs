using Digest.Feedback;
using Digest.Tests.Email;
using MimeKit;

namespace Digest.Tests.Feedback;

/// <summary>
/// Every sample under Fixtures/feedback/{kind}/ must be classified as that kind: real Postfix output and samples
/// written from the documented formats of qmail, Exim, Gmail, Exchange, Yahoo and sendmail, ARF reports, emailed
/// unsubscribes, auto-replies and mail for a person.
/// </summary>
public sealed class FeedbackClassifierTests : IDisposable
{
    private readonly EmailSamples _samples = new();

    public static TheoryData<string, string> Samples()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in Directory.GetFiles(Folder, "*.eml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(Path.GetDirectoryName(file))!, Path.GetFileName(file));
        return data;
    }

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "feedback");

    private FeedbackReport Classify(string kind, string file) =>
        _samples.Get<FeedbackClassifier>().Classify(MimeMessage.Load(Path.Combine(Folder, kind, file)));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Classify_Sample_GivesItsKind(string kind, string file)
    {
        var report = Classify(kind, file);

        Assert.True(report.Kind == kind, $"{kind}/{file} was classified {report.Kind}: {report.Reason}");
        Assert.False(string.IsNullOrWhiteSpace(report.Reason));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Classify_BounceOrComplaint_FindsTheCopyByItsMessageId(string kind, string file)
    {
        var report = Classify(kind, file);

        if (kind is FeedbackKind.HardBounce or FeedbackKind.SoftBounce or FeedbackKind.Complaint)
            Assert.Equal(new SentCopy(12, 34), report.Copy);
    }

    [Fact]
    public void Classify_PostfixBounce_KeepsTheProvidersReasonAndRecipient()
    {
        var report = Classify(FeedbackKind.HardBounce, "postfix-unknown-user.eml");

        Assert.Equal("nosuch@recipients.example", report.Recipient);
        Assert.Equal("5.1.1 X-Postfix; unknown user: \"nosuch\"", report.Reason);
    }

    [Fact]
    public void Classify_ExchangePolicyRefusal_IsSoft_NotASuppression()
    {
        var report = Classify(FeedbackKind.SoftBounce, "exchange-policy-block.eml");

        Assert.StartsWith("5.7.1", report.Reason);
    }

    [Fact]
    public void Classify_EmailedUnsubscribe_NamesEditionAndSender()
    {
        var report = Classify(FeedbackKind.Unsubscribe, "gmail-mailto.eml");

        Assert.Equal(("daily", "ana@example.com"), (report.Edition, report.Sender));
    }

    [Fact]
    public void Classify_ReplyUnsubscribe_TakesTheCopyFromInReplyTo()
    {
        var report = Classify(FeedbackKind.Unsubscribe, "reply-unsubscribe.eml");

        Assert.Equal((new SentCopy(12, 34), (string?)null), (report.Copy, report.Edition));
    }

    [Fact]
    public void Classify_BounceSentToASignedReturnPath_FindsTheCopyWithoutAMessageId()
    {
        string address = _samples.Get<ReturnPath>().For(77, 88)!.Address;
        var message = MimeMessage.Load(Path.Combine(Folder, FeedbackKind.HardBounce, "qmail-no-mailbox.eml"));
        message.To.Clear();
        message.To.Add(MailboxAddress.Parse(address));
        var body = (TextPart)message.Body!;
        body.Text = body.Text.Replace("Message-ID: <digest.12.34@news.example.org>", "", StringComparison.Ordinal);

        Assert.Equal(new SentCopy(77, 88), _samples.Get<FeedbackClassifier>().Classify(message).Copy);
    }

    [Fact]
    public void Classify_BounceOfAnEditionSentFromAnotherDomain_FindsTheCopyByItsMessageId()
    {
        // An edition with its own From domain has its Message-IDs on that domain; the bounce still names the copy.
        var message = MimeMessage.Load(Path.Combine(Folder, FeedbackKind.HardBounce, "qmail-no-mailbox.eml"));
        var body = (TextPart)message.Body!;
        Assert.Contains("Message-ID: <digest.12.34@news.example.org>", body.Text);
        body.Text = body.Text.Replace("news.example.org", "letters.example.net", StringComparison.Ordinal);

        var report = _samples.Get<FeedbackClassifier>().Classify(message);

        Assert.Equal((FeedbackKind.HardBounce, new SentCopy(12, 34)), (report.Kind, report.Copy));
    }

    public void Dispose() => _samples.Dispose();
}

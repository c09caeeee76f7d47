using Digest.Delivery;
using MailKit.Net.Smtp;
using MimeKit;

namespace Digest.Tests.Delivery;

public sealed class SendFailureTests
{
    private static SmtpCommandException Refused(SmtpStatusCode code, string text) =>
        new(SmtpErrorCode.RecipientNotAccepted, code, new MailboxAddress("", "ana@example.com"), text);

    [Fact]
    public void Classify_BadMailbox550_IsPermanentAndSuppresses()
    {
        var failure = SendFailure.Classify(Refused(SmtpStatusCode.MailboxUnavailable, "5.1.1 <ana@example.com>: User unknown"));

        Assert.Equal((true, true, false), (failure.Permanent, failure.Suppress, failure.SenderProblem));
        Assert.Equal("550 5.1.1 <ana@example.com>: User unknown", failure.Reply);
    }

    [Fact]
    public void Classify_PolicyRefusal571_IsPermanentButReportedAsSenderProblemWithoutSuppressing()
    {
        var failure = SendFailure.Classify(Refused(SmtpStatusCode.MailboxUnavailable, "5.7.1 Message rejected by policy"));

        Assert.Equal((true, false, true), (failure.Permanent, failure.Suppress, failure.SenderProblem));
    }

    [Fact]
    public void Classify_Greylisting451_IsTransient()
    {
        var refused = Refused(SmtpStatusCode.MailboxBusy, "4.7.1 Greylisted");

        var failure = SendFailure.Classify(refused);

        Assert.Equal((false, false), (failure.Permanent, failure.Suppress));
        Assert.True(SendFailure.IsThrottling(refused));
    }

    [Fact]
    public void Classify_NetworkError_IsTransientAndNamesTheError()
    {
        var failure = SendFailure.Classify(new IOException("Connection reset by peer"));

        Assert.False(failure.Permanent);
        Assert.Equal("IOException: Connection reset by peer", failure.Reply);
    }
}

using System.Text;
using Digest.Delivery;
using MimeKit;

namespace Digest.Tests.Email;

public sealed class MessageHeadersTests(EmailSamplesFixture fixture) : IClassFixture<EmailSamplesFixture>
{
    private static string Wire(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Build_CarriesDateMessageIdAndListHeaders()
    {
        var message = await fixture.Samples.MessageAsync(EmailSamples.Articles(4));

        Assert.Equal(EmailSamples.Slot, message.Date);
        Assert.Equal(EmailSamples.MessageId, message.MessageId);
        Assert.Equal("\"The Daily Digest\" <daily.news.example.org>", message.Headers[HeaderId.ListId]);
        string unsubscribe = message.Headers[HeaderId.ListUnsubscribe]!;
        Assert.Matches(@"^<https://digest\.example\.org/u/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>, <mailto:digest@news\.example\.org\?subject=unsubscribe%20daily>$", unsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.False(message.Headers.Contains(MessageFactory.FeedbackIdHeader));
        Assert.Equal("The Digest", message.From.Mailboxes.Single().Name);
    }

    [Fact]
    public async Task Build_ListUnsubscribeLink_IsTheFooterLink()
    {
        var articles = EmailSamples.Articles(4);
        var message = await fixture.Samples.MessageAsync(articles);

        string footerLink = (await fixture.Samples.ComposeAsync(articles)).Recipient.UnsubscribeUrl;
        Assert.StartsWith($"<{footerLink}>", message.Headers[HeaderId.ListUnsubscribe]);
        Assert.Contains(footerLink, message.HtmlBody);
        Assert.Contains(footerLink, message.TextBody);
    }

    [Fact]
    public async Task Build_SameRunAndSubscriber_GivesTheSameBytes()
    {
        var first = Wire(await fixture.Samples.MessageAsync(EmailSamples.Articles(4)));
        var second = Wire(await fixture.Samples.MessageAsync(EmailSamples.Articles(4)));

        // Only the MIME boundaries are random; everything a reader or a resend check sees is the same.
        static string WithoutBoundaries(string wire) => System.Text.RegularExpressions.Regex.Replace(wire, "=-[A-Za-z0-9+/=_-]{20,}", "=-boundary");
        Assert.Equal(WithoutBoundaries(first), WithoutBoundaries(second));
    }

    [Fact]
    public async Task Build_NonLatinSubject_IsAnEncodedWordOnTheWireAndReadsBackWhole()
    {
        var greekFirst = EmailSamples.Articles(4).Skip(2).ToList();
        var message = await fixture.Samples.MessageAsync(greekFirst);
        string wire = Wire(message);

        Assert.True(wire.All(c => c < 0x80), "every byte of the message is 7-bit");
        string rawSubject = Encoding.ASCII.GetString(message.Headers.First(h => h.Id == HeaderId.Subject).RawValue);
        Assert.Contains("=?utf-8?", rawSubject, StringComparison.OrdinalIgnoreCase); // RFC 2047 encoded words
        Assert.DoesNotContain("Αθήνα", rawSubject);
        var reread = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(wire)));
        Assert.Equal("The Daily Digest — 2 Mar 2026: Αθήνα: Νέα γραμμή μετρό ανοίγει τον Μάρτιο", reread.Subject);
        Assert.Contains("Νέα γραμμή μετρό", reread.HtmlBody);
        Assert.Contains("Νέα γραμμή μετρό", reread.TextBody);
    }

    [Fact]
    public async Task Build_BodyParts_AreUtf8WithExplicitTransferEncodings()
    {
        var message = await fixture.Samples.MessageAsync(EmailSamples.Articles(4));

        var parts = Assert.IsAssignableFrom<MultipartAlternative>(message.Body).OfType<TextPart>().ToList();
        Assert.Equal(["text/plain", "text/html"], parts.Select(p => p.ContentType.MimeType));
        Assert.All(parts, part =>
        {
            Assert.Equal("utf-8", part.ContentType.Charset);
            Assert.Equal(ContentEncoding.QuotedPrintable, part.ContentTransferEncoding);
        });
    }

    [Theory]
    [InlineData("Plain English news, with a euro sign € and “quotes”.", ContentEncoding.QuotedPrintable)]
    [InlineData("Η γραμμή 4 του μετρό της Αθήνας θα εξυπηρετεί 340.000 επιβάτες την ημέρα.", ContentEncoding.Base64)]
    public void BodyEncoding_ChoosesQuotedPrintableForLatinAndBase64ForOtherScripts(string text, ContentEncoding expected) =>
        Assert.Equal(expected, BodyPart.BodyEncoding(text));

    [Fact]
    public async Task Build_WithFeedbackIdConfigured_AddsItForTheEdition()
    {
        using var samples = new EmailSamples(new Dictionary<string, string?> { ["Delivery:FeedbackId"] = "{edition}:digest:newsexample" });

        var message = await samples.MessageAsync(EmailSamples.Articles(1));

        Assert.Equal("daily:digest:newsexample", message.Headers[MessageFactory.FeedbackIdHeader]);
    }
}

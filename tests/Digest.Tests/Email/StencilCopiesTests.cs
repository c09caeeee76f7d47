using System.Text;
using Digest.Delivery;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Digest.Tests.Email;

/// <summary>
/// A run's copies are filled from a stencil rendered and encoded once; every copy a subscriber receives must still
/// say exactly what the templates would have rendered for them.
/// </summary>
public sealed class StencilCopiesTests(EmailSamplesFixture fixture) : IClassFixture<EmailSamplesFixture>
{
    private EmailSamples Samples => fixture.Samples;

    public static TheoryData<string, string> Recipients => new()
    {
        { "Ana", "ana@example.com" },
        { "", "no-name@example.com" },
        { "Zoë <O'Brien> & \"Co\"", "zoe+news@example.com" },
        { "Δημήτρης Παπαδόπουλος", "dimitris@example.gr" },
        { string.Join(' ', Enumerable.Repeat("Bartholomew-Maximilian", 12)), "long.name@example.com" },
        { ".Dot Bennett", "dot@example.com" },
    };

    [Theory]
    [MemberData(nameof(Recipients))]
    public async Task Copy_AsReceived_SaysExactlyWhatAFullRenderSays_AndComesFromTheStencil(string name, string email)
    {
        var templates = new CountingRenderer(Samples.Get<IDigestRenderer>());
        var bodies = new RunBodies(templates, NullLogger.Instance);
        var view = await ViewFor(new Subscriber(41, email, name, SubscriberStatus.Confirmed), EmailSamples.Articles(4));

        var received = await SendAndReceiveAsync(view, await bodies.ForAsync(view));
        var full = await Samples.RenderAsync(view);

        Assert.Equal(Lines(full.Html), Lines(received.HtmlBody));
        Assert.Equal(Lines(full.Text), Lines(received.TextBody));
        // The stencil and its check, and no full render for the copy itself: the stencil held for this reader.
        Assert.Equal(2, templates.Renders);
    }

    [Fact]
    public async Task Copies_AreQuotedPrintableWithShortLines_AndTheTemplatesRenderOncePerKindOfRecipient()
    {
        var templates = new CountingRenderer(Samples.Get<IDigestRenderer>());
        var bodies = new RunBodies(templates, NullLogger.Instance);
        var articles = EmailSamples.Articles(4);

        foreach (int id in Enumerable.Range(1, 60))
        {
            var view = await ViewFor(new Subscriber(id, $"reader{id}@example.com", id % 3 == 0 ? "" : $"Reader {id}", SubscriberStatus.Confirmed), articles);
            string sent = Encoding.ASCII.GetString(Serialise(view, await bodies.ForAsync(view)));
            Assert.Equal(2, sent.Split("Content-Transfer-Encoding: quoted-printable").Length - 1);
            // The body's lines; a header may hold an unfoldable long link.
            Assert.All(sent[sent.IndexOf("\r\n\r\n", StringComparison.Ordinal)..].Split("\r\n"), line => Assert.True(line.Length <= 78, $"line of {line.Length}: {line}"));
        }

        // Named and unnamed readers differ by the greeting: each kind renders once for its stencil and once to check it.
        Assert.Equal(4, templates.Renders);
    }

    [Theory]
    [MemberData(nameof(Recipients))]
    public async Task Copy_WrittenAsIs_IsTheMessageMimeKitWouldWrite_WithCrlfLineEndsAndNoLineStartingWithADot(string name, string email)
    {
        var bodies = new RunBodies(Samples.Get<IDigestRenderer>(), NullLogger.Instance);
        var view = await ViewFor(new Subscriber(41, email, name, SubscriberStatus.Confirmed), EmailSamples.Articles(4));

        byte[] sent = Serialise(view, await bodies.ForAsync(view));

        string text = Encoding.ASCII.GetString(sent);
        Assert.DoesNotMatch("[^\r]\n|\r[^\n]", text);
        // SMTP would double such a dot on the way, and a relay that mishandles that could drop it.
        Assert.DoesNotContain("\r\n.", text);
        Assert.All(text[text.IndexOf("\r\n\r\n", StringComparison.Ordinal)..].Split("\r\n"), line => Assert.True(line.Length <= 76, $"line of {line.Length}: {line}"));
        // Read back and written again by MimeKit's own path (every part through its line-end filter): not a byte moves.
        using var reread = await MimeMessage.LoadAsync(new MemoryStream(sent));
        Assert.Equal(text, Encoding.ASCII.GetString(Serialise(reread)));
    }

    [Fact]
    public async Task TemplateThatChangesARecipientField_IsRenderedInFullForEveryCopy()
    {
        var shouting = new ShoutingRenderer(Samples.Get<IDigestRenderer>());
        var bodies = new RunBodies(shouting, NullLogger.Instance);
        var articles = EmailSamples.Articles(2);

        foreach (var reader in new[] { EmailSamples.Reader, new Subscriber(8, "bo@example.com", "Bo", SubscriberStatus.Confirmed) })
        {
            var view = await ViewFor(reader, articles);
            var body = await bodies.ForAsync(view);
            Assert.Contains($"Hello {reader.Name.ToUpperInvariant()},", body.Html.Decode());
            Assert.True(body.Says(await shouting.RenderAsync(view)));
        }
    }

    [Fact]
    public async Task TemplateThatBranchesOnARecipientsAddress_IsCaughtByTheSampledCheck_AndLaterCopiesAreRenderedInFull()
    {
        var branching = new VipRenderer(Samples.Get<IDigestRenderer>());
        var bodies = new RunBodies(branching, NullLogger.Instance);
        var articles = EmailSamples.Articles(2);

        // Ordinary readers until the sampled check; from there on, readers whose address makes the template branch.
        // The sampled copy is caught by its own check; the copies after it are not sampled, and say the right thing
        // only because the run fell back to full renders.
        var later = new List<string>();
        for (int id = 1; id <= RunBodies.CheckEvery + 5; id++)
        {
            string domain = id >= RunBodies.CheckEvery ? "vip.example.com" : "example.com";
            var view = await ViewFor(new Subscriber(id, $"reader{id}@{domain}", $"Reader {id}", SubscriberStatus.Confirmed), articles);
            var body = await bodies.ForAsync(view);
            if (id >= RunBodies.CheckEvery && !body.Says(await branching.RenderAsync(view)))
                later.Add($"copy {id} differs from its full render");
        }
        Assert.Empty(later);
    }

    private async Task<DigestView> ViewFor(Subscriber reader, IReadOnlyList<Digest.Articles.Article> articles)
    {
        var composer = Samples.Get<DigestComposer>();
        return composer.ForRecipient(await composer.ComposeRunAsync(Samples.Daily, EmailSamples.Slot, articles), Samples.Daily, reader);
    }

    private byte[] Serialise(DigestView view, MessageBody body)
    {
        var reader = new Subscriber(1, "reader@example.com", view.RecipientName, SubscriberStatus.Confirmed);
        var envelope = new Envelope(EmailSamples.MessageId, reader, Samples.Daily.Name, Samples.Daily.Title, view.Footer.UnsubscribeUrl);
        using var message = Samples.Get<MessageFactory>().Build(envelope, view.Subject, body);
        return Serialise(message);
    }

    /// <summary>The message as it goes on the wire: CRLF line ends.</summary>
    private static byte[] Serialise(MimeMessage message)
    {
        using var bytes = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(format, bytes);
        return bytes.ToArray();
    }

    /// <summary>The message as a mail program reads it: written out, parsed back.</summary>
    private async Task<MimeMessage> SendAndReceiveAsync(DigestView view, MessageBody body) =>
        await MimeMessage.LoadAsync(new MemoryStream(Serialise(view, body)));

    private static string Lines(string? text) => (text ?? "").Replace("\r\n", "\n");

    private sealed class CountingRenderer(IDigestRenderer inner) : IDigestRenderer
    {
        private int _renders;
        public int Renders => _renders;

        public Task<RenderedDigest> RenderAsync(DigestView view)
        {
            Interlocked.Increment(ref _renders);
            return inner.RenderAsync(view);
        }
    }

    /// <summary>As a template showing <c>@Model.RecipientName.ToUpper()</c> would render.</summary>
    private sealed class ShoutingRenderer(IDigestRenderer inner) : IDigestRenderer
    {
        public Task<RenderedDigest> RenderAsync(DigestView view) =>
            inner.RenderAsync(view with { RecipientName = view.RecipientName.ToUpperInvariant() });
    }

    /// <summary>As a template with <c>@if (Model.Footer.Reason.Contains("vip."))</c> would render.</summary>
    private sealed class VipRenderer(IDigestRenderer inner) : IDigestRenderer
    {
        public async Task<RenderedDigest> RenderAsync(DigestView view)
        {
            var rendered = await inner.RenderAsync(view);
            return view.Footer.Reason.Contains("@vip.", StringComparison.Ordinal)
                ? rendered with { Html = rendered.Html + "<p>Thank you for being a patron.</p>", Text = rendered.Text + "Thank you for being a patron.\r\n" }
                : rendered;
        }
    }
}

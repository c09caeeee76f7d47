using System.Text;
using Digest.Delivery;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Tests.Email;

/// <summary>
/// A run's copies are the body, rendered and encoded once, with each reader's greeting and footer partials joined
/// into its slots; every copy a subscriber receives must say exactly what a full render for them says.
/// </summary>
public sealed class CopyBodiesTests(EmailSamplesFixture fixture) : IClassFixture<EmailSamplesFixture>
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
    public async Task Copy_AsReceived_SaysExactlyWhatAFullRenderSays(string name, string email)
    {
        var templates = Samples.Get<IDigestRenderer>();
        var (view, reader) = await CopyFor(new Subscriber(41, email, name, SubscriberStatus.Confirmed), EmailSamples.Articles(4));

        var received = await SendAndReceiveAsync(view, reader, await new CopyBodies(templates, view).ForAsync(reader));
        var full = await templates.RenderAsync(view, reader);

        Assert.Equal(Lines(full.Html), Lines(received.HtmlBody));
        Assert.Equal(Lines(full.Text), Lines(received.TextBody));
    }

    [Fact]
    public async Task Copies_AreQuotedPrintableWithShortLines_AndTheBodyRendersOncePerKind()
    {
        var templates = new CountingRenderer(Samples.Get<IDigestRenderer>());
        var articles = EmailSamples.Articles(4);
        var (view, _) = await CopyFor(EmailSamples.Reader, articles);
        var bodies = new CopyBodies(templates, view);

        foreach (int id in Enumerable.Range(1, 60))
        {
            var (_, reader) = await CopyFor(new Subscriber(id, $"reader{id}@example.com", id % 3 == 0 ? "" : $"Reader {id}", SubscriberStatus.Confirmed), articles);
            string sent = Encoding.ASCII.GetString(Serialise(view, reader, await bodies.ForAsync(reader)));
            Assert.Equal(2, sent.Split("Content-Transfer-Encoding: quoted-printable").Length - 1);
            // The body's lines; a header may hold an unfoldable long link.
            Assert.All(sent[sent.IndexOf("\r\n\r\n", StringComparison.Ordinal)..].Split("\r\n"), line => Assert.True(line.Length <= 76, $"line of {line.Length}: {line}"));
        }

        Assert.Equal((1, 60), (templates.Bodies, templates.Recipients));
    }

    [Theory]
    [MemberData(nameof(Recipients))]
    public async Task Copy_WrittenAsIs_IsTheMessageMimeKitWouldWrite_WithCrlfLineEndsAndNoLineStartingWithADot(string name, string email)
    {
        var (view, reader) = await CopyFor(new Subscriber(41, email, name, SubscriberStatus.Confirmed), EmailSamples.Articles(4));

        byte[] sent = Serialise(view, reader, await new CopyBodies(Samples.Get<IDigestRenderer>(), view).ForAsync(reader));

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
    public async Task PartialsThatBranchOnTheReader_EveryCopySaysWhatItsFullRenderSays()
    {
        using var folder = new ScratchTemplates();
        folder.Replace("_greeting.html.cshtml", "</p>\n}", "</p>\n}\n@if (Model.Email.EndsWith(\"@vip.example.com\"))\n{\n<p>Thank you for being a patron, @Model.Name.ToUpperInvariant().</p>\n}");
        folder.Replace("_footer.text.cshtml", "@Model.Reason\n", "@Model.Reason\n@if (Model.Name.Length > 8)\n{\n@:\n@:\n@:.a long name: this line starts with a dot\n@:\n}\n");
        var templates = folder.Renderer();
        await templates.WarmAsync();
        var articles = EmailSamples.Articles(2);
        var (view, _) = await CopyFor(EmailSamples.Reader, articles);
        var bodies = new CopyBodies(templates, view);

        int patrons = 0;
        foreach (int id in Enumerable.Range(1, 40))
        {
            string domain = id % 7 == 3 ? "vip.example.com" : "example.com";
            var (_, reader) = await CopyFor(new Subscriber(id, $"reader{id}@{domain}", id % 5 == 0 ? "" : $"Reader {id}", SubscriberStatus.Confirmed), articles);
            byte[] sent = Serialise(view, reader, await bodies.ForAsync(reader));
            using var received = await MimeMessage.LoadAsync(new MemoryStream(sent));
            var full = await templates.RenderAsync(view, reader);
            Assert.DoesNotContain("\r\n.", Encoding.ASCII.GetString(sent));
            Assert.Equal(Lines(full.Html), Lines(received.HtmlBody));
            Assert.Equal(Lines(full.Text), Lines(received.TextBody));
            patrons += received.HtmlBody!.Contains("Thank you for being a patron,", StringComparison.Ordinal) ? 1 : 0;
        }
        Assert.Equal(6, patrons);
        Assert.Contains("\n.a long name", (await templates.RenderAsync(view, (await CopyFor(new Subscriber(1, "a@example.com", "Bartholomew", SubscriberStatus.Confirmed), articles)).Reader)).Text);
    }

    private async Task<(DigestView View, RecipientView Reader)> CopyFor(Subscriber reader, IReadOnlyList<Digest.Articles.Article> articles)
    {
        var copy = await Samples.Get<DigestComposer>().ComposeAsync(Samples.Daily, EmailSamples.Slot, articles, reader);
        return (copy.Digest, copy.Recipient);
    }

    private byte[] Serialise(DigestView view, RecipientView reader, MessageBody body)
    {
        var recipient = new Subscriber(1, "reader@example.com", reader.Name, SubscriberStatus.Confirmed);
        var envelope = new Envelope(EmailSamples.MessageId, recipient, Samples.Daily.Name, Samples.Daily.Title, reader.UnsubscribeUrl);
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
    private async Task<MimeMessage> SendAndReceiveAsync(DigestView view, RecipientView reader, MessageBody body) =>
        await MimeMessage.LoadAsync(new MemoryStream(Serialise(view, reader, body)));

    private static string Lines(string? text) => (text ?? "").Replace("\r\n", "\n");

    private sealed class CountingRenderer(IDigestRenderer inner) : IDigestRenderer
    {
        private int _bodies, _recipients;
        public int Bodies => _bodies;
        public int Recipients => _recipients;

        public Task<RenderedBody> RenderBodyAsync(DigestView view)
        {
            Interlocked.Increment(ref _bodies);
            return inner.RenderBodyAsync(view);
        }

        public Task<RenderedRecipient> RenderRecipientAsync(RecipientView recipient)
        {
            Interlocked.Increment(ref _recipients);
            return inner.RenderRecipientAsync(recipient);
        }
    }
}

/// <summary>A scratch copy of the repository's templates, to change for one test.</summary>
internal sealed class ScratchTemplates : IDisposable
{
    public ScratchTemplates()
    {
        Directory.CreateDirectory(Path);
        foreach (string file in Directory.GetFiles(EmailSamples.TemplatesPath))
            System.IO.File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"digest-templates-{Guid.NewGuid():N}");

    public string PathOf(string template) => System.IO.Path.Combine(Path, template);

    /// <summary>Replaces text that must be in the template.</summary>
    public void Replace(string template, string old, string replacement)
    {
        string text = System.IO.File.ReadAllText(PathOf(template));
        Assert.Contains(old, text);
        System.IO.File.WriteAllText(PathOf(template), text.Replace(old, replacement));
    }

    public RazorDigestRenderer Renderer() => new(
        Options.Create(new RenderingOptions { TemplatesPath = Path }),
        new HostingEnvironment { ContentRootPath = Path });

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

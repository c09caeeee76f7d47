using Digest.Articles;
using Digest.Delivery;
using Digest.Editions;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Digest.Tests.Email;

/// <summary>
/// The engine's real composer, renderer and message factory, wired from settings as the app wires them, on a
/// fixed clock and the fixture articles under Fixtures/email/articles: the same inputs give the same bytes.
/// </summary>
internal sealed class EmailSamples : IDisposable
{
    /// <summary>07:00 in Berlin on a Monday: the slot of the daily edition every sample is rendered for.</summary>
    public static readonly DateTimeOffset Slot = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);

    public static readonly Subscriber Reader = new(7, "ana@example.com", "Ana", SubscriberStatus.Confirmed);

    public const string MessageId = "digest.12.7@news.example.org";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"digest-email-{Guid.NewGuid():N}");
    private readonly IHost _host;

    public EmailSamples(IDictionary<string, string?>? settings = null)
    {
        Directory.CreateDirectory(_folder);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = Path.Combine(_folder, "data"),
            ["Security:TokenSecret"] = "golden-files-need-a-fixed-secret-0123456789",
            ["Site:PublicUrl"] = "https://digest.example.org",
            ["Site:SenderLine"] = "The Digest · 1 Example Street · 10115 Berlin · Germany",
            ["Rendering:TemplatesPath"] = TemplatesPath,
            ["Editions:daily:Title"] = "The Daily Digest",
            ["Editions:daily:Cron"] = "0 7 * * *",
            ["Editions:daily:TimeZone"] = "Europe/Berlin",
            ["Editions:daily:Subject"] = "{edition} — {date}: {topHeadline}",
            ["Editions:daily:MaxArticles"] = "20",
            ["Delivery:FromAddress"] = "digest@news.example.org",
            ["Delivery:FromName"] = "The Digest",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Slot));
        builder.AddDigestEngine();
        _host = builder.Build();
    }

    /// <summary>The repository's templates, copied next to the test assembly at build time.</summary>
    public static string TemplatesPath => Path.Combine(AppContext.BaseDirectory, "templates");

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public Edition Daily => Get<IOptionsMonitor<EditionsOptions>>().CurrentValue.Get("daily");

    /// <summary>The fixture articles in file-name order, repeated (as distinct stories) until there are <paramref name="count"/>.</summary>
    public static IReadOnlyList<Article> Articles(int count = 4)
    {
        var contents = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "email", "articles"), "*.txt")
            .Order(StringComparer.Ordinal)
            .Select(file => ArticleParser.Parse(File.ReadAllBytes(file)).Article
                ?? throw new InvalidDataException($"fixture {file} does not parse"))
            .ToList();
        return Enumerable.Range(0, count).Select(i =>
        {
            var content = contents[i % contents.Count];
            string slug = ArticleKeys.Slug(content) + (i < contents.Count ? "" : $"-{i}");
            return new Article(i + 1, slug, content, "inbox", Slot.AddHours(-10 + i * 0.1));
        }).ToList();
    }

    public Task<DigestCopy> ComposeAsync(IReadOnlyList<Article> articles) => Get<DigestComposer>().ComposeAsync(Daily, Slot, articles, Reader);

    public Task<RenderedDigest> RenderAsync(DigestCopy copy) => Get<IDigestRenderer>().RenderAsync(copy);

    /// <summary>The complete message a subscriber would receive for these articles.</summary>
    public async Task<MimeMessage> MessageAsync(IReadOnlyList<Article> articles)
    {
        var copy = await ComposeAsync(articles);
        var envelope = new Envelope(MessageId, Reader, Daily.Name, Daily.Title, copy.Recipient.UnsubscribeUrl);
        return Get<MessageFactory>().Build(envelope, copy.Digest.Subject, await RenderAsync(copy));
    }

    public void Dispose()
    {
        _host.Dispose();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}

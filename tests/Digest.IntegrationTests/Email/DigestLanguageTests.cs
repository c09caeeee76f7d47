using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Email;

/// <summary>An edition's Culture decides the digest's language: its dates, its fixed words, its footer and its lang.</summary>
public sealed class DigestLanguageTests
{
    [Fact]
    public async Task Send_GermanEdition_DatesWordsAndFooterInGerman_OnTheWire()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink, new Dictionary<string, string?>
        {
            ["Editions:daily:Culture"] = "de",
            ["Editions:daily:MaxArticles"] = "1",
            ["Editions:daily:MaxLinks"] = "0",
        });
        _ = host.Server;
        await host.DropArticleAsync("email-01-library.txt");
        await host.DropArticleAsync("email-02-heatpumps.txt");
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana Lima", ["daily"]);

        // 07:00 in Berlin on Monday 4 March 2030.
        var run = await host.Get<EditionRunner>().StartAsync("daily", new DateTimeOffset(2030, 3, 4, 6, 0, 0, TimeSpan.Zero));
        var report = await host.Get<RunSender>().SendAsync(run.Id);
        var message = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(20))).Message;
        string html = message.HtmlBody!;
        string text = message.TextBody!;

        Assert.Equal((1, 0), (report.Sent, report.Failed));
        Assert.Equal("The Daily Digest — 4. März 2030: Public Library Extends Opening Hours Across All Branches", message.Subject);
        Assert.Contains("<html lang=\"de\"", html);
        string[] german =
        [
            "Montag, 4. März 2030", "27. Februar 2026", "Hallo Ana Lima, das ist neu.",
            "Sie erhalten diese E-Mail, weil ana@example.com The Daily Digest abonniert hat.", "Einstellungen verwalten", "Abbestellen",
        ];
        Assert.All(german, words => Assert.Contains(words, html));
        Assert.All(german, words => Assert.Contains(words, text));
        Assert.Contains(">Mehr in dieser Ausgabe</h2>", html);
        Assert.Contains("MEHR IN DIESER AUSGABE", text);
        Assert.Contains(">Lesen: Public Library Extends Opening Hours Across All Branches</a>", html);
        Assert.Contains(">Und 1 weitere: alle im Archiv ansehen</a>", html);
        Assert.Contains("Zum Artikel: https://digest.example.org/articles/", text);
        Assert.Contains($"Und 1 weitere: https://digest.example.org/archive/{run.Id}", text);
        string[] english = ["Monday", "February", "Hello", "Manage preferences", "Unsubscribe", "You receive this", "Read"];
        Assert.All(english, words => Assert.DoesNotContain(words, html));
        Assert.All(english, words => Assert.DoesNotContain(words, text));
    }
}

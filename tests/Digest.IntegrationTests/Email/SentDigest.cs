using Digest.Editions;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;

namespace Digest.IntegrationTests.Email;

/// <summary>A digest as the real app sends it: realistic articles through the inbox, one subscriber, one send.</summary>
internal static class SentDigest
{
    /// <summary>The fast email tests' fixture articles (Latin and Greek, CRLF, BOM, one without highlights).</summary>
    private static readonly string[] Articles = ["email-01-library.txt", "email-02-heatpumps.txt", "email-03-athens.txt", "email-04-harbour.txt"];

    public static readonly IReadOnlyDictionary<string, string?> Realistic = new Dictionary<string, string?>
    {
        ["Site:SenderLine"] = "The Daily Digest · 1 Example Street · 10115 Berlin · Germany",
        ["Delivery:FromName"] = "The Daily Digest",
        ["Editions:daily:Subject"] = "{edition} — {date}: {topHeadline}",
    };

    /// <summary>
    /// Runs the app with these settings (on top of <see cref="Realistic"/>) and returns the message's bytes as the
    /// pickup folder got them, or, given an SMTP sink, as the sink received them.
    /// </summary>
    /// <param name="note">An editor's note (Markdown) for the run, saved as the workspace saves it.</param>
    /// <param name="moreArticles">Fixture articles dropped after the usual ones (e.g. ones with an Image: line).</param>
    public static async Task<byte[]> SendAsync(IDictionary<string, string?>? settings = null, SmtpSink? sink = null, string? note = null,
        IEnumerable<string>? moreArticles = null)
    {
        var all = new Dictionary<string, string?>(Realistic);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        using var host = sink is null ? new DigestTestHost(all) : DigestTestHost.SendingTo(sink, all);
        _ = host.Server;
        foreach (string article in Articles.Concat(moreArticles ?? []))
            await host.DropArticleAsync(article);
        await host.Get<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana Lima", ["daily"]);
        if (note is not null)
            await host.Get<EditionNotes>().SaveAsync("daily", note, "erin");

        await host.Get<EditionJobs>().SendNowAsync("daily", CancellationToken.None);

        string file = sink is null
            ? Assert.Single(Directory.GetFiles(host.OutboxPath, "*.eml"))
            : Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(20))).File;
        return await File.ReadAllBytesAsync(file);
    }
}

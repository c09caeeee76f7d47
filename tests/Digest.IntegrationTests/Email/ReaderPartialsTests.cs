using Digest.Delivery;
using Digest.Editions;
using Digest.IntegrationTests.Delivery;
using Digest.IntegrationTests.Infrastructure;
using Digest.Rendering;
using Digest.Subscribers;
using Hangfire;

namespace Digest.IntegrationTests.Email;

/// <summary>
/// A greeting template that shows something only to some readers: every copy of a run, as the SMTP server received
/// it, says exactly what a full render for its own reader says, in both parts, the first copy, the thousandth and
/// every one between.
/// </summary>
public sealed class ReaderPartialsTests
{
    private const int Readers = 1500;
    private const string Lucky = "Lucky number seven: your copy has a bonus line.";

    [Fact]
    public async Task Send_GreetingThatBranchesOnTheReader_EveryCopyOnTheWireIsItsOwnFullRender()
    {
        using var templates = BranchingTemplates();
        await using var sink = await SmtpSink.StartAsync();
        using var host = DigestTestHost.SendingTo(sink, new Dictionary<string, string?> { ["Rendering:TemplatesPath"] = templates.Path });
        _ = host.Server;
        await DeliveryScenario.SeedAsync(host.Services, Readers);
        await DeliveryScenario.JobsIdleAsync(host.Get<JobStorage>(), TimeSpan.FromSeconds(60));
        var run = await host.Get<EditionRunner>().StartNowAsync("daily");

        var report = await host.Get<RunSender>().SendAsync(run.Id);
        var received = await sink.WaitForAsync(Readers, TimeSpan.FromSeconds(120));

        Assert.Equal((Readers, Readers), (report.Sent, received.Count));
        var ids = (await host.Get<SubscriberStore>().ListAsync()).ToDictionary(s => s.Email, s => s.Id, StringComparer.Ordinal);
        var preview = host.Get<DigestPreview>();
        var wrong = new List<string>();
        int lucky = 0;
        foreach (var message in received)
        {
            string email = message.Recipients.Single();
            var full = (await preview.RenderRunAsync(run.Id, ids[email]))!.Value.Rendered;
            if (Lines(message.Message.HtmlBody) != Lines(full.Html))
                wrong.Add($"{email}: the HTML part differs from its full render");
            if (Lines(message.Message.TextBody) != Lines(full.Text))
                wrong.Add($"{email}: the text part differs from its full render");
            lucky += full.Text.Contains(Lucky, StringComparison.Ordinal) ? 1 : 0;
        }
        Assert.Empty(wrong);
        // reader00007, reader00017, …: one reader in ten, most of them between the first copy and the thousandth.
        Assert.Equal(Readers / 10, lucky);
        host.Errors.AssertNone();
    }

    private static string Lines(string? text) => (text ?? "").Replace("\r\n", "\n");

    /// <summary>The repository's templates, with a greeting that adds a line for readers whose name ends in 7.</summary>
    private static TempFolder BranchingTemplates()
    {
        var folder = new TempFolder("digest-templates");
        foreach (string file in Directory.GetFiles(DigestTestHost.TemplatesPath))
            File.Copy(file, folder.Combine(Path.GetFileName(file)));
        Replace(folder.Combine("_greeting.html.cshtml"), "</p>\n}", $"</p>\n@if (Model.Name.EndsWith('7'))\n{{\n<p>{Lucky}</p>\n}}\n}}");
        Replace(folder.Combine("_greeting.text.cshtml"), "@:@Model.Labels.Hello(Model.Name)\n}", $"@:@Model.Labels.Hello(Model.Name)\n    if (Model.Name.EndsWith('7'))\n    {{\n@:{Lucky}\n    }}\n}}");
        return folder;
    }

    private static void Replace(string file, string old, string replacement)
    {
        string text = File.ReadAllText(file);
        Assert.Contains(old, text);
        File.WriteAllText(file, text.Replace(old, replacement));
    }
}

using System.Runtime.CompilerServices;

namespace Digest.Tests.Email;

/// <summary>
/// The rendered digest, byte for byte, against stored files under Fixtures/golden/. After an intended change to
/// the templates or the composer, regenerate them and review the diff:
/// <code>DIGEST_UPDATE_GOLDEN=1 dotnet test tests/Digest.Tests --filter FullyQualifiedName~DigestGoldenTests</code>
/// That run fails for every file it rewrites (so an update can never pass silently); run again without the variable.
/// </summary>
public sealed class DigestGoldenTests(EmailSamplesFixture fixture) : IClassFixture<EmailSamplesFixture>
{
    [Fact]
    public async Task Render_FourArticles_MatchesGoldenHtmlAndText()
    {
        var rendered = await fixture.Samples.RenderAsync(await fixture.Samples.ComposeAsync(EmailSamples.Articles(4)));

        AssertGolden("daily.html", rendered.Html);
        AssertGolden("daily.txt", rendered.Text);
    }

    [Fact]
    public async Task Render_OverMaxArticles_MatchesGoldenListOfLinks()
    {
        var samples = fixture.Samples;
        var edition = samples.Daily with { Options = new() { Title = "The Daily Digest", Cron = "0 7 * * *", TimeZone = "Europe/Berlin", MaxArticles = 2 } };
        var view = await samples.Get<Digest.Rendering.DigestComposer>().ComposeAsync(edition, EmailSamples.Slot, EmailSamples.Articles(4), EmailSamples.Reader);

        var rendered = await samples.RenderAsync(view);

        AssertGolden("daily-more.html", rendered.Html);
        AssertGolden("daily-more.txt", rendered.Text);
    }

    private static void AssertGolden(string name, string actual, [CallerFilePath] string sourceFile = "")
    {
        if (Environment.GetEnvironmentVariable("DIGEST_UPDATE_GOLDEN") == "1")
        {
            // Written to the source tree (found from this file's path), not to the build output.
            string folder = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "Fixtures", "golden"));
            string file = Path.Combine(folder, name);
            if (File.Exists(file) && File.ReadAllText(file).ReplaceLineEndings("\n") == actual.ReplaceLineEndings("\n"))
                return;
            Directory.CreateDirectory(folder);
            File.WriteAllText(file, actual);
            Assert.Fail($"{file} did not match and was rewritten: review the diff, then run the tests again without DIGEST_UPDATE_GOLDEN.");
        }
        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", name));
        Assert.Equal(expected.ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }
}

using Digest.Articles;

namespace Digest.Tests.Email;

public sealed class DigestSubjectTests(EmailSamplesFixture fixture) : IClassFixture<EmailSamplesFixture>
{
    private async Task<string> Subject(IReadOnlyList<Article> articles, string pattern)
    {
        var daily = fixture.Samples.Daily;
        var edition = daily with { Options = new() { Title = daily.Title, Cron = "0 7 * * *", TimeZone = "Europe/Berlin", Subject = pattern } };
        return (await fixture.Samples.Get<Digest.Rendering.DigestComposer>().ComposeAsync(edition, EmailSamples.Slot, articles, EmailSamples.Reader)).Digest.Subject;
    }

    [Fact]
    public async Task Subject_FillsEditionLocalDateAndTopHeadline() =>
        Assert.Equal("The Daily Digest — 2 Mar 2026: Public Library Extends Opening Hours Across All Branches",
            await Subject(EmailSamples.Articles(4), "{edition} — {date}: {topHeadline}"));

    [Fact]
    public async Task Subject_NonLatinTopHeadline_IsKeptWhole() =>
        Assert.Equal("Αθήνα: Νέα γραμμή μετρό ανοίγει τον Μάρτιο · The Daily Digest",
            await Subject([EmailSamples.Articles(4)[2]], "{topHeadline} · {edition}"));

    [Fact]
    public async Task Subject_HeadlineWithLineBreak_StaysOneLine()
    {
        var article = EmailSamples.Articles(1)[0];
        var broken = article with { Content = article.Content with { Headline = "Line one\r\nBcc: someone@example.com" } };

        Assert.Equal("The Daily Digest: Line one Bcc: someone@example.com", await Subject([broken], "{edition}: {topHeadline}"));
    }

    [Fact]
    public async Task Subject_WeeklyPatternWithoutHeadline_HasNoDanglingColon() =>
        Assert.Equal("The Daily Digest — week of 2 Mar 2026", await Subject([], "{edition} — week of {date}: {topHeadline}"));
}

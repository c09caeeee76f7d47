using Digest.Articles.Feeds;

namespace Digest.Tests.Articles;

public sealed class FeedsOptionsValidatorTests
{
    [Fact]
    public void Validate_NamesTheFeedTheSettingAndTheBadValue()
    {
        var feeds = new FeedsOptions
        {
            new() { Name = "harbour", Url = "https://news.example.org/rss" },
            new() { Name = "Harbour", Url = "ftp://news.example.org/rss", PollEvery = TimeSpan.FromSeconds(30) },
            new() { Name = "bad name!", Url = "https://x.example/feed", Timeout = TimeSpan.Zero },
        };

        var failures = new FeedsOptionsValidator().Validate(null, feeds).Failures?.ToList() ?? [];

        Assert.Equal(
        [
            "Feeds:1:Name: 'Harbour' is used by another feed; names must be unique",
            "Feeds:1:Url: 'ftp://news.example.org/rss' is not an absolute http(s) address",
            "Feeds:1:PollEvery: '00:00:30' is shorter than a minute; write e.g. 00:15:00",
            "Feeds:2:Name: 'bad name!' must be letters, digits, '.', '-' or '_' (at most 60)",
            "Feeds:2:Timeout: '00:00:00' must be between 00:00:01 and 00:05:00",
        ], failures);
    }

    [Fact]
    public void Validate_AcceptsNoFeedsAtAll()
    {
        Assert.True(new FeedsOptionsValidator().Validate(null, []).Succeeded);
    }
}

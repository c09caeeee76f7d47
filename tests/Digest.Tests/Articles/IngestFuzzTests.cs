using Digest.Articles;

namespace Digest.Tests.Articles;

/// <summary>Arbitrary bytes and damaged fixtures: the parser and the inbox pass answer, they never throw.</summary>
public sealed class IngestFuzzTests
{
    private const int Rounds = 400;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Parse_NeverThrowsOnRandomBytes_AndEveryRejectionSaysWhy(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < Rounds; round++)
        {
            byte[] bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            AssertAnswered(bytes);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Parse_NeverThrowsOnMutatedFixtures_AndEveryRejectionSaysWhy(int seed)
    {
        var random = new Random(seed);
        var fixtures = ArticleFixtures.All.Select(Fixture.Bytes).ToList();
        for (int round = 0; round < Rounds; round++)
            AssertAnswered(Mutate(fixtures[random.Next(fixtures.Count)], random));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void ParseJson_NeverThrowsOnDamagedJson_AndEveryRejectionSaysWhy(int seed)
    {
        var random = new Random(seed);
        byte[] json = """
            {"headline": "Night Trains Return", "publishedAt": "2026-03-01",
             "highlights": ["A sleeper service resumes.", "Three nights a week."],
             "body": ["The operator will run the train from April."], "url": "https://news.example.org/night-trains"}
            """u8.ToArray();
        for (int round = 0; round < Rounds; round++)
        {
            var outcome = ArticleJson.Parse(round % 3 == 0 ? RandomBytes(random) : Mutate(json, random)).Outcome;
            Assert.True(outcome.Article is not null || outcome.Problems.Count > 0);
            Assert.All(outcome.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task ProcessOnce_NeverThrowsOnMutatedFiles_AndEveryFileIsStoredOrRejectedWithItsReason()
    {
        await using var engine = await TestEngine.StartAsync();
        var random = new Random(21);
        var fixtures = ArticleFixtures.All.Select(Fixture.Bytes).ToList();
        const int files = 120;
        for (int i = 0; i < files; i++)
            engine.Drop($"fuzz-{i:D3}.txt", Mutate(fixtures[random.Next(fixtures.Count)], random));
        engine.Time.Advance(TimeSpan.FromSeconds(5));

        int handled = await engine.Inbox.ProcessOnceAsync();

        Assert.Equal(files, handled);
        Assert.Empty(TestEngine.FilesIn(engine.Inbox.InboxPath));
        var rejected = TestEngine.FilesIn(engine.Inbox.RejectedPath).ToList();
        var rejectedArticles = rejected.Where(f => !f.EndsWith(".error.txt", StringComparison.Ordinal)).ToList();
        Assert.All(rejectedArticles, f => Assert.Contains(f + ".error.txt", rejected));
        Assert.Equal(files, rejectedArticles.Count + TestEngine.FilesIn(engine.Inbox.ProcessedPath).Count());
    }

    private static void AssertAnswered(byte[] bytes)
    {
        var outcome = ArticleParser.Parse(bytes, maxBytes: 64 * 1024);
        if (outcome.Article is not null)
        {
            Assert.Empty(outcome.Problems);
            Assert.False(string.IsNullOrWhiteSpace(outcome.Article.Headline));
            _ = ArticleKeys.ContentKey(outcome.Article);
            _ = ArticleKeys.Slug(outcome.Article);
            return;
        }
        Assert.NotEmpty(outcome.Problems);
        int lines = bytes.Count(b => b is (byte)'\n' or (byte)'\r') + 1; // an upper bound: CRLF counts twice
        Assert.All(outcome.Problems, p => Assert.InRange(p.Line, 0, lines));
        Assert.All(outcome.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
    }

    /// <summary>A few random edits of the kinds real files suffer: flipped, inserted, deleted and repeated bytes, truncation.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        int edits = random.Next(1, 6);
        for (int e = 0; e < edits; e++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2 when bytes.Count > 0: bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)); break;
                case 3: bytes.InsertRange(at, bytes.Skip(random.Next(Math.Max(1, bytes.Count))).Take(random.Next(1, 200)).ToList()); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;
                case 5: bytes.InsertRange(at, "\r\n-\r\nPublished \u00A0\u2019\n"u8.ToArray()); break;
                default: bytes.InsertRange(at, [0xEF, 0xBB, 0xBF]); break;
            }
        }
        return bytes.ToArray();
    }
}

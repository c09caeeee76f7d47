using Dapper;
using Digest.Articles;

namespace Digest.Tests.Articles;

public sealed class InboxProcessorTests
{
    private static readonly TimeSpan PastSettleTime = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ProcessOnce_LeavesAFileStillBeingWrittenAlone_UntilItHasSettled()
    {
        await using var engine = await TestEngine.StartAsync();
        engine.Drop("solar.txt", Fixture.Bytes("repeated-body.txt"));

        Assert.Equal(0, await engine.Inbox.ProcessOnceAsync());
        Assert.Equal(["solar.txt"], TestEngine.FilesIn(engine.Inbox.InboxPath));

        engine.Time.Advance(PastSettleTime);
        Assert.Equal(1, await engine.Inbox.ProcessOnceAsync());
        Assert.Empty(TestEngine.FilesIn(engine.Inbox.InboxPath));
        Assert.Equal(["solar.txt"], TestEngine.FilesIn(engine.Inbox.ProcessedPath));
        Assert.Equal("inbox:solar.txt", Assert.Single(await engine.Articles.ListRecentAsync(10)).Source);
    }

    [Theory]
    [InlineData("story.txt.tmp")]
    [InlineData("story.txt.part")]
    [InlineData(".story.txt")]
    public async Task ProcessOnce_NeverReadsAFileNamedAsUnfinished(string name)
    {
        await using var engine = await TestEngine.StartAsync();
        engine.Drop(name, Fixture.Bytes("repeated-body.txt"));
        engine.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, await engine.Inbox.ProcessOnceAsync());

        Assert.Equal([name], TestEngine.FilesIn(engine.Inbox.InboxPath));
        Assert.Empty(await engine.Articles.ListRecentAsync(10));
    }

    [Fact]
    public async Task ProcessOnce_AfterACrashBetweenCommitAndMove_StoresTheArticleOnce_AndStillMovesTheFile()
    {
        await using var engine = await TestEngine.StartAsync();
        byte[] bytes = Fixture.Bytes("crlf-bom-typographic.txt");
        // The previous process committed the article, then died before moving the file out of the inbox.
        await engine.Articles.AddAsync(ArticleParser.Parse(bytes).Article!, new ArticleOrigin("inbox:budget.txt"));
        engine.Drop("budget.txt", bytes);
        engine.Time.Advance(PastSettleTime);

        Assert.Equal(1, await engine.Inbox.ProcessOnceAsync());

        Assert.Single(await engine.Articles.ListRecentAsync(10));
        Assert.Empty(TestEngine.FilesIn(engine.Inbox.InboxPath));
        Assert.Equal(["budget.txt"], TestEngine.FilesIn(engine.Inbox.ProcessedPath));
    }

    [Fact]
    public async Task ProcessOnce_KeepsTheFileInTheInbox_WhenTheStoreCannotCommit_AndIngestsItOnceTheStoreRecovers()
    {
        await using var engine = await TestEngine.StartAsync();
        await using (var connection = await engine.Database.OpenAsync())
            await connection.ExecuteAsync("CREATE TRIGGER refuse BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
        engine.Drop("solar.txt", Fixture.Bytes("repeated-body.txt"));
        engine.Drop("bridge.txt", Fixture.Bytes("non-latin.txt"));
        engine.Time.Advance(PastSettleTime);

        Assert.Equal(0, await engine.Inbox.ProcessOnceAsync());
        Assert.Equal(["bridge.txt", "solar.txt"], TestEngine.FilesIn(engine.Inbox.InboxPath));
        Assert.Empty(TestEngine.FilesIn(engine.Inbox.ProcessedPath));
        Assert.Empty(TestEngine.FilesIn(engine.Inbox.RejectedPath));

        await using (var connection = await engine.Database.OpenAsync())
            await connection.ExecuteAsync("DROP TRIGGER refuse");
        Assert.Equal(2, await engine.Inbox.ProcessOnceAsync());
        Assert.Equal(2, (await engine.Articles.ListRecentAsync(10)).Count);
    }

    [Fact]
    public async Task ProcessOnce_AFileTheStoreRefuses_DoesNotHoldUpTheOthersDroppedWithIt()
    {
        await using var engine = await TestEngine.StartAsync();
        await using (var connection = await engine.Database.OpenAsync())
            await connection.ExecuteAsync("""
                CREATE TRIGGER refuse_solar BEFORE INSERT ON articles WHEN NEW.headline LIKE '%Solar%'
                BEGIN SELECT RAISE(ABORT, 'refused'); END;
                """);
        engine.Drop("a-bridge.txt", Fixture.Bytes("non-latin.txt"));
        engine.Drop("b-solar.txt", Fixture.Bytes("repeated-body.txt"));
        engine.Drop("c-budget.txt", Fixture.Bytes("crlf-bom-typographic.txt"));
        engine.Time.Advance(PastSettleTime);

        Assert.Equal(2, await engine.Inbox.ProcessOnceAsync());

        Assert.Equal(["b-solar.txt"], TestEngine.FilesIn(engine.Inbox.InboxPath));
        Assert.Equal(["a-bridge.txt", "c-budget.txt"], TestEngine.FilesIn(engine.Inbox.ProcessedPath));
        Assert.Equal(2, (await engine.Articles.ListRecentAsync(10)).Count);
    }

    [Fact]
    public async Task ProcessOnce_ABulkDropLargerThanABatch_IsStoredOnceEach_AndEveryFileMoves()
    {
        await using var engine = await TestEngine.StartAsync();
        string template = System.Text.Encoding.UTF8.GetString(Fixture.Bytes("no-highlights.txt"));
        int files = InboxProcessor.BatchSize * 2 + 7;
        for (int i = 0; i < files; i++)
            engine.Drop($"hours-{i:D3}.txt", System.Text.Encoding.UTF8.GetBytes(template.Replace("Library Extends", $"Library {i % (files - 10)} Extends")));
        engine.Time.Advance(PastSettleTime);

        Assert.Equal(files, await engine.Inbox.ProcessOnceAsync());

        Assert.Empty(TestEngine.FilesIn(engine.Inbox.InboxPath));
        Assert.Equal(files, TestEngine.FilesIn(engine.Inbox.ProcessedPath).Count());
        Assert.Equal(files - 10, (await engine.Articles.ListRecentAsync(1000)).Count); // the last ten repeat earlier stories
    }

    [Fact]
    public async Task ProcessOnce_RejectsABadFileBesideANoteNamingTheLine_AndDeletesNothing()
    {
        await using var engine = await TestEngine.StartAsync();
        byte[] bytes = Fixture.Bytes("reject-bad-date.txt");
        engine.Drop("market.txt", bytes);
        engine.Time.Advance(PastSettleTime);

        await engine.Inbox.ProcessOnceAsync();

        Assert.Equal(["market.txt", "market.txt.error.txt"], TestEngine.FilesIn(engine.Inbox.RejectedPath));
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(engine.Inbox.RejectedPath, "market.txt")));
        string note = File.ReadAllText(Path.Combine(engine.Inbox.RejectedPath, "market.txt.error.txt"));
        Assert.Contains("'market.txt'", note);
        Assert.Contains("line 2: cannot read the date 'the ninth of Augtober'", note);
    }

    [Fact]
    public async Task ProcessOnce_RejectsAFileOverTheConfiguredSize_WithoutReadingIt()
    {
        await using var engine = await TestEngine.StartAsync(new Dictionary<string, string?> { ["Inbox:MaxFileBytes"] = "1000" });
        engine.Drop("long.txt", Fixture.Bytes("many-highlights.txt"));
        engine.Time.Advance(PastSettleTime);

        await engine.Inbox.ProcessOnceAsync();

        string note = File.ReadAllText(Path.Combine(engine.Inbox.RejectedPath, "long.txt.error.txt"));
        Assert.Contains("over the limit of 1,000 bytes", note);
    }

    [Fact]
    public async Task ProcessOnce_KeepsEveryFileDroppedTwiceUnderTheSameName_AndStoresTheStoryOnce()
    {
        await using var engine = await TestEngine.StartAsync();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            engine.Drop("solar.txt", Fixture.Bytes("repeated-body.txt"));
            engine.Time.Advance(PastSettleTime);
            await engine.Inbox.ProcessOnceAsync();
        }

        Assert.Equal(["solar.2.txt", "solar.txt"], TestEngine.FilesIn(engine.Inbox.ProcessedPath));
        Assert.Single(await engine.Articles.ListRecentAsync(10));
    }
}

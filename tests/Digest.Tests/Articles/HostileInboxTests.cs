using System.Diagnostics;

namespace Digest.Tests.Articles;

/// <summary>
/// What people (or accidents) leave in an inbox that is not a file to read: a named pipe, links to devices and to
/// files elsewhere. None of them is opened, each is set aside once with its reason, and the articles beside them are
/// ingested in the same pass.
/// </summary>
public sealed class HostileInboxTests
{
    [Fact]
    public async Task ProcessOnce_AFifo_IsNeverOpened_IsSetAsideWithItsReason_AndTheNextFileIsIngested()
    {
        await using var engine = await TestEngine.StartAsync();
        MakeFifo(Path.Combine(engine.Inbox.InboxPath, "a-pipe.txt"));
        engine.Drop("solar.txt", Fixture.Bytes("repeated-body.txt"));
        engine.Time.Advance(TimeSpan.FromHours(1));

        // Opening a FIFO without a writer never returns: the bound makes that a failure instead of a hang.
        int handled = await engine.Inbox.ProcessOnceAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, handled);
        Assert.Equal(["solar.txt"], TestEngine.FilesIn(engine.Inbox.ProcessedPath));
        Assert.Contains("not a regular file", File.ReadAllText(Path.Combine(engine.Inbox.RejectedPath, "a-pipe.txt.error.txt")));
        Assert.Empty(TestEngine.FilesIn(engine.Inbox.InboxPath));
    }

    [Fact]
    public async Task ProcessOnce_ALinkToDevZero_IsNotRead_ButSetAsideAsALink()
    {
        await using var engine = await TestEngine.StartAsync();
        Directory.CreateDirectory(engine.Inbox.InboxPath);
        File.CreateSymbolicLink(Path.Combine(engine.Inbox.InboxPath, "zero.txt"), "/dev/zero");
        engine.Drop("solar.txt", Fixture.Bytes("repeated-body.txt"));
        engine.Time.Advance(TimeSpan.FromHours(1));

        int handled = await engine.Inbox.ProcessOnceAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, handled);
        Assert.Equal(["solar.txt"], TestEngine.FilesIn(engine.Inbox.ProcessedPath));
        Assert.Contains("a symbolic link (to /dev/zero)", File.ReadAllText(Path.Combine(engine.Inbox.RejectedPath, "zero.txt.error.txt")));
        Assert.Equal("/dev/zero", new FileInfo(Path.Combine(engine.Inbox.RejectedPath, "zero.txt")).LinkTarget);
    }

    [Fact]
    public async Task ProcessOnce_ALinkToARegularFile_IsSetAsideOnce_AndItsTargetIsLeftAlone()
    {
        await using var engine = await TestEngine.StartAsync();
        string outside = Path.Combine(engine.Root, "outside.txt");
        File.WriteAllBytes(outside, Fixture.Bytes("repeated-body.txt"));
        Directory.CreateDirectory(engine.Inbox.InboxPath);
        File.CreateSymbolicLink(Path.Combine(engine.Inbox.InboxPath, "linked.txt"), outside);
        engine.Time.Advance(TimeSpan.FromHours(1));

        int first = await engine.Inbox.ProcessOnceAsync();
        int second = await engine.Inbox.ProcessOnceAsync();

        Assert.Equal((1, 0), (first, second)); // reported once, not on every pass
        Assert.Contains("copy the file in instead", File.ReadAllText(Path.Combine(engine.Inbox.RejectedPath, "linked.txt.error.txt")));
        Assert.Equal(Fixture.Bytes("repeated-body.txt"), File.ReadAllBytes(outside));
        Assert.Empty(await engine.Articles.ListRecentAsync(10));
    }

    private static void MakeFifo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Articles;

/// <summary>
/// One pass over the inbox folder. A file leaves the inbox only after its article is committed (to
/// <c>processed/</c>) or with a note saying why it was refused (to <c>rejected/</c>); nothing is deleted.
/// </summary>
public sealed class InboxProcessor
{
    private readonly ArticleStore _store;
    private readonly InboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<InboxProcessor> _logger;

    public InboxProcessor(ArticleStore store, IOptions<InboxOptions> options, IHostEnvironment environment,
        TimeProvider time, ILogger<InboxProcessor> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        InboxPath = Path.GetFullPath(_options.Path, environment.ContentRootPath);
    }

    public string InboxPath { get; }
    public string ProcessedPath => Path.Combine(InboxPath, "processed");
    public string RejectedPath => Path.Combine(InboxPath, "rejected");

    /// <summary>Ingests every settled file in the inbox; returns how many files were handled.</summary>
    public async Task<int> ProcessOnceAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(InboxPath);
        var ready = new DirectoryInfo(InboxPath).EnumerateFiles().Where(IsReady).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        int handled = 0;
        foreach (var batch in ready.Chunk(BatchSize))
            handled += await ProcessBatchAsync(batch, cancellationToken);
        return handled;
    }

    /// <summary>Files stored in one transaction: commits, not parsing, are what a bulk drop waits on.</summary>
    internal const int BatchSize = 100;

    private bool IsReady(FileInfo file)
    {
        // Writers that follow the convention name a file *.tmp or *.part until it is complete.
        if (file.Name.StartsWith('.') || file.Extension is ".tmp" or ".part" || file.Name.EndsWith(".error.txt", StringComparison.Ordinal))
            return false;
        return _time.GetUtcNow() - file.LastWriteTimeUtc >= _options.SettleTime;
    }

    private async Task<int> ProcessBatchAsync(FileInfo[] files, CancellationToken cancellationToken)
    {
        int handled = 0;
        var parsed = new List<(FileInfo File, ArticleContent Article)>();
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (NotARegularFile(file) is { } refusal)
            {
                Reject(file, [refusal]);
                handled++;
                continue;
            }
            try
            {
                var outcome = await ReadAsync(file, cancellationToken);
                if (outcome?.Article is { } article)
                    parsed.Add((file, article));
                else if (outcome is not null)
                {
                    Reject(file, outcome.Problems);
                    handled++;
                }
            }
            catch (UnauthorizedAccessException error)
            {
                // Not transient: the service may not read it. Set aside with the reason, so it is reported once and
                // the files after it are still read.
                Reject(file, [new ArticleProblem(0, $"the service may not read this file ({error.Message}); fix its permissions and drop it again")]);
                handled++;
            }
            catch (IOException error)
            {
                // Still being written, locked or vanished: it stays in the inbox and is tried on the next pass.
                _logger.LogWarning("Inbox file {File} could not be read yet: {Reason}", file.Name, error.Message);
            }
        }
        if (parsed.Count == 0)
            return handled;

        IReadOnlyList<StoredArticle>? stored = null;
        try
        {
            stored = await _store.AddManyAsync(parsed.Select(p => (p.Article, Origin(p.File))), cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // One file the store refuses must not hold up the others: the batch is stored one file at a time instead.
            _logger.LogWarning("Storing {Count} inbox files together failed ({Reason}); storing them one at a time", parsed.Count, error.Message);
        }

        // Commit first, move second: a crash in between leaves files in the inbox, and ingesting them again finds
        // the committed articles (duplicates), so nothing is lost or doubled.
        for (int i = 0; i < parsed.Count; i++)
        {
            var (file, article) = parsed[i];
            try
            {
                var result = stored?[i] ?? await _store.AddAsync(article, Origin(file), cancellationToken);
                MoveAside(file, ProcessedPath);
                handled++;
                if (result.Duplicate)
                    _logger.LogInformation("Inbox file {File} is {Article}; not stored again", file.Name, result.Describe());
                else
                    _logger.LogInformation("Ingested {File} as {Article}", file.Name, result.Describe());
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Not the file's fault (the store is unavailable, the disk is full): it stays in the inbox untouched
                // and is tried again on the next pass.
                _logger.LogError(error, "Inbox file {File} stays in the inbox: it could not be stored", file.Name);
            }
        }
        return handled;
    }

    private static ArticleOrigin Origin(FileInfo file) => new($"inbox:{file.Name}");

    /// <summary>
    /// Why an inbox entry is not opened at all, or null for a regular file. Symbolic links are refused (the inbox takes
    /// files put there, not pointers to files elsewhere, such as <c>/dev/zero</c>). .NET shows no file type, but on
    /// Linux a FIFO, socket or device always has size 0 (and opening a FIFO waits for a writer forever), so an entry
    /// of size 0 is never opened: it is empty or not a regular file, and not an article either way.
    /// </summary>
    private static ArticleProblem? NotARegularFile(FileInfo file)
    {
        if (file.LinkTarget is { } target)
            return new ArticleProblem(0, $"a symbolic link (to {target}): the inbox reads only regular files; copy the file in instead");
        if (file.Length == 0)
            return new ArticleProblem(0, "the file is empty, or not a regular file (a pipe, socket or device): it was not opened");
        return null;
    }

    /// <summary>The parsed file, or null when it changed while being read and is left for the next pass.</summary>
    private async Task<ParseOutcome?> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (file.Length > _options.MaxFileBytes)
            return new ParseOutcome(null, [ArticleParser.TooLarge(file.Length, _options.MaxFileBytes)]);
        var before = (file.Length, file.LastWriteTimeUtc);
        byte[]? bytes = await ReadAtMostAsync(file, _options.MaxFileBytes, cancellationToken);
        if (bytes is null)
            return new ParseOutcome(null, [new ArticleProblem(0, $"the file grew past the limit of {_options.MaxFileBytes:N0} bytes while it was read")]);
        file.Refresh();
        if ((file.Length, file.LastWriteTimeUtc) != before || bytes.Length != before.Length)
        {
            _logger.LogInformation("Inbox file {File} changed while it was read; trying again once it settles", file.Name);
            return null;
        }
        return ArticleParser.Parse(bytes, _options.MaxFileBytes);
    }

    /// <summary>The file's bytes, bounded by what is actually read rather than by the size it reports; null past the limit.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(FileInfo file, long maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
        var buffer = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private void Reject(FileInfo file, IReadOnlyList<ArticleProblem> problems)
    {
        // The note is written before the file moves, so a rejected file is never without its reason.
        string target = FreeName(RejectedPath, file);
        string report = $"Digest could not ingest '{file.Name}':{Environment.NewLine}"
            + string.Join(Environment.NewLine, problems.Select(p => "  " + p)) + Environment.NewLine;
        File.WriteAllText(target + ".error.txt", report);
        file.MoveTo(target);
        _logger.LogWarning("Rejected inbox file {File}: {Problems}", file.Name, string.Join("; ", problems));
    }

    private static void MoveAside(FileInfo file, string folder) => file.MoveTo(FreeName(folder, file));

    /// <summary>A path in the folder for the file that does not overwrite a file of the same name already there.</summary>
    private static string FreeName(string folder, FileInfo file)
    {
        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, file.Name);
        for (int n = 2; File.Exists(target) || File.Exists(target + ".error.txt"); n++)
            target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(file.Name)}.{n}{file.Extension}");
        return target;
    }
}

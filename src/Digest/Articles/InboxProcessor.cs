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
        int handled = 0;
        foreach (var file in new DirectoryInfo(InboxPath).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsReady(file))
                continue;
            try
            {
                if (await IngestAsync(file, cancellationToken))
                    handled++;
            }
            catch (IOException error)
            {
                // Still being written, locked or vanished: it stays in the inbox and is tried on the next pass.
                _logger.LogWarning("Inbox file {File} could not be read yet: {Reason}", file.Name, error.Message);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Not the file's fault (the store is unavailable, the disk is full): it stays in the inbox untouched
                // and is tried again on the next pass; the other files still get their turn.
                _logger.LogError(error, "Inbox file {File} stays in the inbox: it could not be stored", file.Name);
            }
        }
        return handled;
    }

    private bool IsReady(FileInfo file)
    {
        // Writers that follow the convention name a file *.tmp or *.part until it is complete.
        if (file.Name.StartsWith('.') || file.Extension is ".tmp" or ".part" || file.Name.EndsWith(".error.txt", StringComparison.Ordinal))
            return false;
        return _time.GetUtcNow() - file.LastWriteTimeUtc >= _options.SettleTime;
    }

    /// <summary>Stores or rejects one file; false when it changed while being read and is left for the next pass.</summary>
    private async Task<bool> IngestAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (file.Length > _options.MaxFileBytes)
        {
            Reject(file, [ArticleParser.TooLarge(file.Length, _options.MaxFileBytes)]);
            return true;
        }
        var before = (file.Length, file.LastWriteTimeUtc);
        byte[] bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        file.Refresh();
        if ((file.Length, file.LastWriteTimeUtc) != before || bytes.Length != before.Length)
        {
            _logger.LogInformation("Inbox file {File} changed while it was read; trying again once it settles", file.Name);
            return false;
        }

        var outcome = ArticleParser.Parse(bytes, _options.MaxFileBytes);
        if (outcome.Article is null)
        {
            Reject(file, outcome.Problems);
            return true;
        }

        // Commit first, move second: a crash in between leaves the file in the inbox, and ingesting it again
        // finds the committed article (a duplicate), so nothing is lost or doubled.
        var stored = await _store.AddAsync(outcome.Article, new ArticleOrigin($"inbox:{file.Name}"), cancellationToken);
        if (stored.Duplicate)
            _logger.LogInformation("Inbox file {File} is {Article}; not stored again", file.Name, stored.Describe());
        else
            _logger.LogInformation("Ingested {File} as {Article}", file.Name, stored.Describe());
        MoveAside(file, ProcessedPath);
        return true;
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

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
                await IngestAsync(file, cancellationToken);
                handled++;
            }
            catch (IOException error)
            {
                // Still being written, locked or vanished: it stays in the inbox and is tried on the next pass.
                _logger.LogWarning("Inbox file {File} could not be read yet: {Reason}", file.Name, error.Message);
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

    private async Task IngestAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (file.Length > _options.MaxFileBytes)
        {
            Reject(file, [ArticleParser.TooLarge(file.Length, _options.MaxFileBytes)]);
            return;
        }
        byte[] bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        var outcome = ArticleParser.Parse(bytes);
        if (outcome.Article is null)
        {
            Reject(file, outcome.Problems);
            return;
        }

        var stored = await _store.AddAsync(outcome.Article, source: $"inbox:{file.Name}", cancellationToken);
        if (stored.Duplicate)
            _logger.LogInformation("Inbox file {File} is a duplicate of article {Id} ({Slug}); not stored again", file.Name, stored.Id, stored.Slug);
        else
            _logger.LogInformation("Ingested {File} as article {Id} ({Slug})", file.Name, stored.Id, stored.Slug);
        MoveAside(file, ProcessedPath);
    }

    private void Reject(FileInfo file, IReadOnlyList<ArticleProblem> problems)
    {
        string moved = MoveAside(file, RejectedPath);
        string report = $"Digest could not ingest '{file.Name}':{Environment.NewLine}"
            + string.Join(Environment.NewLine, problems.Select(p => "  " + p)) + Environment.NewLine;
        File.WriteAllText(moved + ".error.txt", report);
        _logger.LogWarning("Rejected inbox file {File}: {Problems}", file.Name, string.Join("; ", problems));
    }

    /// <summary>Moves a file into a folder without overwriting a file of the same name already there.</summary>
    private string MoveAside(FileInfo file, string folder)
    {
        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, file.Name);
        for (int n = 2; File.Exists(target); n++)
            target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(file.Name)}.{n}{file.Extension}");
        file.MoveTo(target);
        return target;
    }
}

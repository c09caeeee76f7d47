using System.Data.Common;
using System.Globalization;
using Dapper;
using Digest.Articles;
using Digest.Delivery;
using Digest.Storage;
using Microsoft.Extensions.Logging;

namespace Digest.Editions;

/// <summary>
/// Where a run of an edition with <c>Review: Required</c> stands: waiting until <see cref="Until"/> (then
/// <see cref="Then"/>), or decided: approved by an editor, sent anyway or skipped at the deadline.
/// </summary>
public sealed record RunReviewState(Run Run, DateTimeOffset Until, AfterReviewDeadline Then, string? ReviewedBy, DateTimeOffset? ReviewedAt)
{
    public bool Awaiting => Run.Status == RunStatus.AwaitingApproval;

    /// <summary>A moment of a review as pages and notices show it: "2030-01-07 10:00 UTC".</summary>
    public static string Shown(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>What the runs list and the run page say, e.g. "awaiting approval until 2030-01-07 10:00 UTC, then is skipped".</summary>
    public string Wording
    {
        get
        {
            string until = Shown(Until);
            string at = ReviewedAt is { } reviewed ? Shown(reviewed) : "";
            return Awaiting ? $"awaiting approval until {until}, then {(Then == AfterReviewDeadline.SendAnyway ? "sends anyway" : "is skipped")}"
                : ReviewedBy is { Length: > 0 } editor ? $"approved by {editor} at {at}"
                : Run.Status == RunStatus.Skipped ? $"skipped: nobody approved it by {until}"
                : $"sent anyway: nobody approved it by {until}";
        }
    }
}

/// <summary>One of a run's recipients, as the review page offers them.</summary>
public sealed record RunRecipient(long Id, string Email);

/// <summary>
/// Runs held for an editor's approval (Editions:NAME:Review = Required). While a run awaits approval editors may
/// take articles out of it and edit its note; approving it, or its review deadline passing, decides it exactly once:
/// every change is conditional on the run still awaiting approval, in the same statement or transaction.
/// </summary>
public sealed class RunReview(Database database, TimeProvider time, ILogger<RunReview> logger)
{
    private const string Columns = $"{RunRow.Columns}, review_until AS ReviewUntil, review_then AS ReviewThen, reviewed_by AS ReviewedBy, reviewed_at AS ReviewedAt";

    /// <summary>The review of a run, or null when the run does not exist or was never held for review.</summary>
    public async Task<RunReviewState?> GetAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ReviewRow>($"SELECT {Columns} FROM runs WHERE id = @runId AND review_until IS NOT NULL",
            new { runId });
        return row?.ToState();
    }

    /// <summary>The reviews among the given runs (runs never held for review are left out), by run.</summary>
    public async Task<IReadOnlyDictionary<long, RunReviewState>> ForRunsAsync(IReadOnlyCollection<long> runIds, CancellationToken cancellationToken = default)
    {
        if (runIds.Count == 0)
            return new Dictionary<long, RunReviewState>();
        await using var connection = await database.OpenAsync(cancellationToken);
        // An id range rather than a list parameter: the same SQL on SQLite and PostgreSQL.
        var rows = await connection.QueryAsync<ReviewRow>(
            $"SELECT {Columns} FROM runs WHERE id BETWEEN @first AND @last AND review_until IS NOT NULL",
            new { first = runIds.Min(), last = runIds.Max() });
        return rows.Select(r => r.ToState()).Where(r => runIds.Contains(r.Run.Id)).ToDictionary(r => r.Run.Id);
    }

    /// <summary>What the run carries as it stands: its articles in digest order and its note.</summary>
    public async Task<(IReadOnlyList<Article> Articles, string? Note)> ContentAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await ArticleStore.ForRunAsync(connection, runId), await EditionNotes.ForRunAsync(connection, runId));
    }

    /// <summary>The run's first recipients (its frozen audience), to preview the digest as one of them.</summary>
    public async Task<IReadOnlyList<RunRecipient>> RecipientsAsync(long runId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<RunRecipient>($"""
            SELECT s.id AS Id, s.email AS Email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
            WHERE d.run_id = @runId ORDER BY s.id LIMIT {limit}
            """, new { runId })).ToList();
    }

    /// <summary>Takes an article out of a run awaiting approval. False when the run no longer awaits approval.</summary>
    public Task<bool> ExcludeAsync(long runId, long articleId, string by, CancellationToken cancellationToken = default) =>
        ChangeAsync(runId, cancellationToken, async (connection, transaction) =>
        {
            int removed = await connection.ExecuteAsync("DELETE FROM run_articles WHERE run_id = @runId AND article_id = @articleId",
                new { runId, articleId }, transaction);
            if (removed > 0)
                logger.LogInformation("{Editor} took article {ArticleId} out of run {RunId}", by, articleId, runId);
        });

    /// <summary>Replaces the note of a run awaiting approval (empty: none). False when the run no longer awaits approval.</summary>
    public Task<bool> SaveNoteAsync(long runId, string markdown, string by, CancellationToken cancellationToken = default)
    {
        if (markdown.Length > EditionNotes.MaxLength)
            throw new ArgumentException($"The note is {markdown.Length} characters long; the limit is {EditionNotes.MaxLength}.", nameof(markdown));
        return ChangeAsync(runId, cancellationToken, async (connection, transaction) =>
        {
            await connection.ExecuteAsync("UPDATE runs SET note = @note WHERE id = @runId",
                new { runId, note = string.IsNullOrWhiteSpace(markdown) ? null : markdown.ReplaceLineEndings("\n") }, transaction);
            logger.LogInformation("{Editor} {Action} the note of run {RunId}", by, string.IsNullOrWhiteSpace(markdown) ? "cleared" : "edited", runId);
        });
    }

    /// <summary>
    /// Approves a run awaiting approval: it becomes a sending run, as if it had started so. True only for the call
    /// that approved it; a second click, a second editor or a deadline that came first get false.
    /// </summary>
    public async Task<bool> ApproveAsync(long runId, string by, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        bool approved = await connection.ExecuteAsync("""
            UPDATE runs SET status = @sending, reviewed_by = @by, reviewed_at = @now WHERE id = @runId AND status = @awaiting
            """, new { runId, by, now = Clock.Format(time.GetUtcNow()), sending = RunStatus.Sending, awaiting = RunStatus.AwaitingApproval }) == 1;
        if (approved)
            logger.LogInformation("{Editor} approved run {RunId}; it sends now", by, runId);
        return approved;
    }

    /// <summary>
    /// Decides every run whose review deadline has passed unapproved: it sends anyway (becomes a sending run) or is
    /// skipped (nothing is sent; its copies are recorded as skipped). Returns the runs now sending.
    /// </summary>
    public async Task<IReadOnlyList<long>> SettleOverdueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var sending = new List<long>();
        await using var connection = await database.OpenAsync(cancellationToken);
        var overdue = await connection.QueryAsync<(long Id, string Then)>(
            "SELECT id, review_then FROM runs WHERE status = @awaiting AND review_until <= @now ORDER BY id",
            new { awaiting = RunStatus.AwaitingApproval, now = Clock.Format(now) });
        foreach (var (runId, then) in overdue)
        {
            bool sendAnyway = Enum.TryParse<AfterReviewDeadline>(then, out var policy) && policy == AfterReviewDeadline.SendAnyway;
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            bool decided = await connection.ExecuteAsync("""
                UPDATE runs SET status = @status, reviewed_at = @now, completed_at = @completed WHERE id = @runId AND status = @awaiting
                """, new
                {
                    runId, status = sendAnyway ? RunStatus.Sending : RunStatus.Skipped, now = Clock.Format(now),
                    completed = sendAnyway ? null : Clock.Format(now), awaiting = RunStatus.AwaitingApproval,
                }, transaction) == 1;
            if (decided && !sendAnyway)
                await connection.ExecuteAsync("""
                    UPDATE deliveries SET status = @skipped, last_reply = @reason, updated_at = @now WHERE run_id = @runId AND status = @pending
                    """, new
                    {
                        runId, skipped = DeliveryStatus.Skipped, pending = DeliveryStatus.Pending, now = Clock.Format(now),
                        reason = "not sent: the run was not approved by its review deadline",
                    }, transaction);
            await transaction.CommitAsync(cancellationToken);
            if (!decided)
                continue; // an editor approved it meanwhile
            logger.LogInformation("Run {RunId} was not approved by its review deadline: {Outcome}", runId,
                sendAnyway ? "it sends anyway (AfterReviewDeadline: SendAnyway)" : "skipped, nothing sent (AfterReviewDeadline: Skip)");
            if (sendAnyway)
                sending.Add(runId);
        }
        return sending;
    }

    /// <summary>
    /// Runs <paramref name="change"/> only while the run awaits approval. The first statement marks the run's row, so
    /// an approval arriving at the same moment waits for the change (PostgreSQL row lock; SQLite's single writer).
    /// </summary>
    private async Task<bool> ChangeAsync(long runId, CancellationToken cancellationToken, Func<DbConnection, DbTransaction, Task> change)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        bool awaiting = await connection.ExecuteAsync("UPDATE runs SET status = status WHERE id = @runId AND status = @awaiting",
            new { runId, awaiting = RunStatus.AwaitingApproval }, transaction) == 1;
        if (!awaiting)
            return false;
        await change(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private sealed record ReviewRow(long Id, string Edition, string Slot, string Status, string CreatedAt, string ReviewUntil, string? ReviewThen,
        string? ReviewedBy, string? ReviewedAt)
    {
        public RunReviewState ToState() => new(
            new RunRow(Id, Edition, Slot, Status, CreatedAt).ToRun(),
            Clock.Parse(ReviewUntil),
            Enum.TryParse<AfterReviewDeadline>(ReviewThen, out var then) ? then : AfterReviewDeadline.Skip,
            ReviewedBy,
            ReviewedAt is null ? null : Clock.Parse(ReviewedAt));
    }
}

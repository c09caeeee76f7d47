using System.Data;
using System.Data.Common;
using Digest.Storage;
using Digest.Subscribers;

namespace Digest.Delivery;

/// <summary>
/// A connection kept open for recording outcomes, with the ledger's statements compiled once on it: a run commits
/// tens of thousands of times. Each commit writes a group of outcomes (of one run or of several sent side by side),
/// one update each in key order (as every writer of the ledger locks rows: two transactions that lock the same rows in
/// different orders deadlock), all or none, together with the suppression of mailboxes that do not exist, so they are
/// never mailed again by any edition.
/// </summary>
public abstract class OutcomeRecorder : IAsyncDisposable
{
    private protected const string UpdateSql = """
        UPDATE deliveries SET status = $3, last_reply = $4, next_attempt_at = $5, claim = NULL,
               attempts = attempts + $6, updated_at = $7
        WHERE run_id = $1 AND subscriber_id = $2
        """;

    private protected static readonly string SuppressSql = $"UPDATE subscribers SET status = '{SubscriberStatus.Suppressed}' WHERE id = $1";

    private protected OutcomeRecorder(DbConnection connection) => Connection = connection;

    public DbConnection Connection { get; }

    /// <summary>The recorder the store writes best with: statement by statement in-process, one batch per commit over a network.</summary>
    internal static async Task<OutcomeRecorder> OpenAsync(Database database, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        OutcomeRecorder recorder = database.Dialect.SendsStatementsInBatches ? new BatchRecorder(connection) : new RowRecorder(connection);
        try
        {
            await database.RelaxDurabilityAsync(connection);
            await recorder.PrepareAsync(cancellationToken);
            return recorder;
        }
        catch
        {
            await recorder.DisposeAsync();
            throw;
        }
    }

    private protected abstract Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Writes the outcomes, given in key order, in one transaction.</summary>
    internal abstract Task WriteAsync(string now, IReadOnlyList<(long RunId, DeliveryOutcome Outcome)> ordered, CancellationToken cancellationToken);

    public virtual async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    /// <summary>The subscribers whose mailbox does not exist, once each and in order (the rows are locked in that order).</summary>
    private static IEnumerable<long> Suppressed(IReadOnlyList<(long RunId, DeliveryOutcome Outcome)> ordered) =>
        ordered.Where(o => o.Outcome.Suppress).Select(o => o.Outcome.SubscriberId).Distinct().Order();

    /// <summary>The update's parameters for one outcome, in the order of its <c>$n</c>.</summary>
    private static (DbType Type, object Value)[] UpdateValues(long runId, string now, DeliveryOutcome outcome) =>
    [
        (DbType.Int64, runId),
        (DbType.Int64, outcome.SubscriberId),
        (DbType.String, outcome.Status),
        (DbType.String, outcome.Reply),
        (DbType.String, outcome.NextAttempt is { } at ? Clock.Format(at) : DBNull.Value),
        (DbType.Int64, outcome.Charged ? 1L : 0L),
        (DbType.String, now),
    ];

    /// <summary>One statement after another in a transaction: SQLite runs in the process, so a statement costs no round trip.</summary>
    private sealed class RowRecorder : OutcomeRecorder
    {
        private readonly DbCommand _update, _suppress;

        public RowRecorder(DbConnection connection) : base(connection)
        {
            _update = Command(UpdateSql, UpdateValues(0, "", new DeliveryOutcome(0, "", "")).Length);
            _suppress = Command(SuppressSql, 1);
        }

        private DbCommand Command(string sql, int parameters)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            // SQLite reads $1 as a parameter named "$1".
            for (int i = 1; i <= parameters; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"${i}";
                command.Parameters.Add(parameter);
            }
            return command;
        }

        private protected override async Task PrepareAsync(CancellationToken cancellationToken)
        {
            await _update.PrepareAsync(cancellationToken);
            await _suppress.PrepareAsync(cancellationToken);
        }

        internal override async Task WriteAsync(string now, IReadOnlyList<(long RunId, DeliveryOutcome Outcome)> ordered, CancellationToken cancellationToken)
        {
            await using var transaction = await Connection.BeginTransactionAsync(cancellationToken);
            _update.Transaction = _suppress.Transaction = transaction;
            foreach (var (runId, outcome) in ordered)
                await ExecuteAsync(_update, UpdateValues(runId, now, outcome), cancellationToken);
            foreach (long subscriberId in Suppressed(ordered))
                await ExecuteAsync(_suppress, [(DbType.Int64, subscriberId)], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        private static Task ExecuteAsync(DbCommand command, (DbType Type, object Value)[] values, CancellationToken cancellationToken)
        {
            for (int i = 0; i < values.Length; i++)
            {
                command.Parameters[i].DbType = values[i].Type;
                command.Parameters[i].Value = values[i].Value;
            }
            return command.ExecuteNonQueryAsync(cancellationToken);
        }

        public override async ValueTask DisposeAsync()
        {
            await _update.DisposeAsync();
            await _suppress.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    /// <summary>
    /// The same statements sent to the server together as one batch (PostgreSQL): one round trip per commit, each
    /// statement planned once per connection. Npgsql runs a batch as one implicit transaction, so the outcomes and the
    /// suppressions commit together. (One statement from array parameters did the same in one round trip, but the
    /// server planned it afresh on every commit, which cost it more than running it.)
    /// </summary>
    private sealed class BatchRecorder(DbConnection connection) : OutcomeRecorder(connection)
    {
        // The statements are prepared by the first commit's batch.
        private protected override Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        internal override async Task WriteAsync(string now, IReadOnlyList<(long RunId, DeliveryOutcome Outcome)> ordered, CancellationToken cancellationToken)
        {
            await using var batch = Connection.CreateBatch();
            foreach (var (runId, outcome) in ordered)
                Add(batch, UpdateSql, UpdateValues(runId, now, outcome));
            foreach (long subscriberId in Suppressed(ordered))
                Add(batch, SuppressSql, [(DbType.Int64, subscriberId)]);
            // Statements already prepared on this connection cost no round trip here.
            await batch.PrepareAsync(cancellationToken);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        private static void Add(DbBatch batch, string sql, (DbType Type, object Value)[] values)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            foreach (var (type, value) in values)
            {
                var parameter = command.CreateParameter();
                parameter.DbType = type;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
            batch.BatchCommands.Add(command);
        }
    }
}

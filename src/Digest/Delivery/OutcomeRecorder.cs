using System.Data;
using System.Data.Common;
using Digest.Storage;
using Digest.Subscribers;

namespace Digest.Delivery;

/// <summary>
/// A connection kept open for recording one run's outcomes, with the ledger's outcome statement compiled once on it:
/// a run commits tens of thousands of times. Each commit writes a group of outcomes, all or none, together with the
/// suppression of mailboxes that do not exist, so they are never mailed again by any edition.
/// </summary>
public abstract class OutcomeRecorder : IAsyncDisposable
{
    private protected readonly DbCommand Command;

    private protected OutcomeRecorder(DbConnection connection, string sql)
    {
        Connection = connection;
        Command = connection.CreateCommand();
        Command.CommandText = sql;
    }

    public DbConnection Connection { get; }

    /// <summary>The recorder the store writes best with: a statement per outcome in-process, one per commit over a network.</summary>
    internal static async Task<OutcomeRecorder> OpenAsync(Database database, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        OutcomeRecorder recorder = database.Dialect.WritesRowsFromArrays ? new ArrayRecorder(connection) : new RowRecorder(connection);
        try
        {
            await database.RelaxDurabilityAsync(connection);
            await recorder.Command.PrepareAsync(cancellationToken);
            return recorder;
        }
        catch
        {
            await recorder.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes the outcomes, given in subscriber order, in one transaction.</summary>
    internal abstract Task WriteAsync(long runId, string now, IReadOnlyList<DeliveryOutcome> ordered, CancellationToken cancellationToken);

    private protected DbParameter Add(string name, DbType type, object initial)
    {
        var parameter = Command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        // A value of the declared type, so PostgreSQL can prepare the statement before the first outcome.
        parameter.Value = initial;
        Command.Parameters.Add(parameter);
        return parameter;
    }

    public async ValueTask DisposeAsync()
    {
        await Command.DisposeAsync();
        await Connection.DisposeAsync();
    }

    private protected static object NextAttempt(DeliveryOutcome outcome) => outcome.NextAttempt is { } at ? Clock.Format(at) : DBNull.Value;

    /// <summary>One update per outcome: SQLite runs in the process, so a statement costs no round trip.</summary>
    private sealed class RowRecorder : OutcomeRecorder
    {
        private readonly DbParameter _runId, _subscriberId, _status, _reply, _next, _now, _charge;

        public RowRecorder(DbConnection connection) : base(connection, """
            UPDATE deliveries SET status = @Status, last_reply = @Reply, next_attempt_at = @Next, claim = NULL,
                   attempts = attempts + @Charge, updated_at = @now
            WHERE run_id = @runId AND subscriber_id = @SubscriberId
            """)
        {
            _runId = Add("runId", DbType.Int64, 0L);
            _subscriberId = Add("SubscriberId", DbType.Int64, 0L);
            _status = Add("Status", DbType.String, "");
            _reply = Add("Reply", DbType.String, "");
            _next = Add("Next", DbType.String, "");
            _now = Add("now", DbType.String, "");
            _charge = Add("Charge", DbType.Int64, 0L);
        }

        internal override async Task WriteAsync(long runId, string now, IReadOnlyList<DeliveryOutcome> ordered, CancellationToken cancellationToken)
        {
            await using var transaction = await Connection.BeginTransactionAsync(cancellationToken);
            Command.Transaction = transaction;
            foreach (var outcome in ordered)
            {
                _runId.Value = runId;
                _subscriberId.Value = outcome.SubscriberId;
                _status.Value = outcome.Status;
                _reply.Value = outcome.Reply;
                _next.Value = NextAttempt(outcome);
                _now.Value = now;
                _charge.Value = outcome.Charged ? 1L : 0L;
                await Command.ExecuteNonQueryAsync(cancellationToken);
            }
            var suppressed = ordered.Where(o => o.Suppress).Select(o => new { o.SubscriberId, suppressed = SubscriberStatus.Suppressed }).ToList();
            if (suppressed.Count > 0)
                await Dapper.SqlMapper.ExecuteAsync(Connection, "UPDATE subscribers SET status = @suppressed WHERE id = @SubscriberId", suppressed, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The whole commit in one statement from array parameters (PostgreSQL): one round trip per commit instead of one
    /// per outcome, and one statement for the server to run.
    /// </summary>
    private sealed class ArrayRecorder : OutcomeRecorder
    {
        private readonly DbParameter _runId, _subscriberIds, _statuses, _replies, _nexts, _charges, _now, _suppress;

        // "locked" takes the rows' locks in subscriber order, as every writer of the ledger does (two transactions that
        // lock the same rows in different orders deadlock), before the update touches any of them.
        public ArrayRecorder(DbConnection connection) : base(connection, $"""
            WITH outcome AS (
                SELECT * FROM unnest(@subscriberIds, @statuses, @replies, @nexts, @charges) AS o (subscriber_id, status, reply, next_attempt_at, charge)
            ), locked AS (
                SELECT subscriber_id FROM deliveries WHERE run_id = @runId AND subscriber_id = ANY (@subscriberIds)
                ORDER BY subscriber_id FOR UPDATE
            ), suppressed AS (
                UPDATE subscribers SET status = '{SubscriberStatus.Suppressed}' WHERE id = ANY (@suppress)
            )
            UPDATE deliveries d SET status = o.status, last_reply = o.reply, next_attempt_at = o.next_attempt_at, claim = NULL,
                   attempts = d.attempts + o.charge, updated_at = @now
            FROM outcome o
            WHERE d.run_id = @runId AND d.subscriber_id = o.subscriber_id AND d.subscriber_id IN (SELECT subscriber_id FROM locked)
            """)
        {
            _runId = Add("runId", DbType.Int64, 0L);
            _subscriberIds = Add("subscriberIds", DbType.Object, Array.Empty<long>());
            _statuses = Add("statuses", DbType.Object, Array.Empty<string>());
            _replies = Add("replies", DbType.Object, Array.Empty<string>());
            _nexts = Add("nexts", DbType.Object, Array.Empty<string>());
            _charges = Add("charges", DbType.Object, Array.Empty<long>());
            _now = Add("now", DbType.String, "");
            _suppress = Add("suppress", DbType.Object, Array.Empty<long>());
        }

        internal override async Task WriteAsync(long runId, string now, IReadOnlyList<DeliveryOutcome> ordered, CancellationToken cancellationToken)
        {
            _runId.Value = runId;
            _subscriberIds.Value = ordered.Select(o => o.SubscriberId).ToArray();
            _statuses.Value = ordered.Select(o => o.Status).ToArray();
            _replies.Value = ordered.Select(o => o.Reply).ToArray();
            _nexts.Value = ordered.Select(o => o.NextAttempt is { } at ? Clock.Format(at) : null).ToArray();
            _charges.Value = ordered.Select(o => o.Charged ? 1L : 0L).ToArray();
            _now.Value = now;
            _suppress.Value = ordered.Where(o => o.Suppress).Select(o => o.SubscriberId).ToArray();
            // One statement is one transaction: the outcomes and the suppressions commit together.
            await Command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

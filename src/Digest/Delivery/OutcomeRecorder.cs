using System.Data;
using System.Data.Common;
using Digest.Storage;

namespace Digest.Delivery;

/// <summary>
/// A connection kept open for recording one run's outcomes, with the ledger's outcome update compiled once on it.
/// A run commits tens of thousands of times, and compiling the same statement again for each commit showed up
/// in SQLite's profile beside executing it (on PostgreSQL it is a server-side prepared statement).
/// </summary>
public sealed class OutcomeRecorder : IAsyncDisposable
{
    private readonly DbCommand _update;
    private readonly DbParameter _runId, _subscriberId, _status, _reply, _next, _now, _charge;

    internal OutcomeRecorder(DbConnection connection, string updateSql)
    {
        Connection = connection;
        _update = connection.CreateCommand();
        _update.CommandText = updateSql;
        _runId = Add("runId", DbType.Int64);
        _subscriberId = Add("SubscriberId", DbType.Int64);
        _status = Add("Status", DbType.String);
        _reply = Add("Reply", DbType.String);
        _next = Add("Next", DbType.String);
        _now = Add("now", DbType.String);
        _charge = Add("Charge", DbType.Int64);
    }

    public DbConnection Connection { get; }

    /// <summary>Compiles the update; once, before the first commit.</summary>
    internal Task PrepareAsync(CancellationToken cancellationToken) => _update.PrepareAsync(cancellationToken);

    internal async Task UpdateAsync(DbTransaction transaction, long runId, string now, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        _update.Transaction = transaction;
        _runId.Value = runId;
        _subscriberId.Value = outcome.SubscriberId;
        _status.Value = outcome.Status;
        _reply.Value = outcome.Reply;
        _next.Value = outcome.NextAttempt is { } at ? Clock.Format(at) : DBNull.Value;
        _now.Value = now;
        _charge.Value = outcome.Charged ? 1L : 0L;
        await _update.ExecuteNonQueryAsync(cancellationToken);
    }

    private DbParameter Add(string name, DbType type)
    {
        var parameter = _update.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        // A value of the declared type, so PostgreSQL can prepare the statement before the first outcome.
        parameter.Value = type == DbType.Int64 ? 0L : "";
        _update.Parameters.Add(parameter);
        return parameter;
    }

    public async ValueTask DisposeAsync()
    {
        await _update.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

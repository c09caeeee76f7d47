using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Digest;

/// <summary>
/// Digest's instruments, on the one meter named <see cref="MeterName"/>: what operators watch while runs go out
/// (exported by the host, see the README's Metrics section). Recording costs next to nothing while nobody listens.
/// </summary>
public sealed class DigestMetrics
{
    /// <summary>The meter every Digest instrument belongs to; an exporter listens to this name.</summary>
    public const string MeterName = "Digest";

    private readonly Counter<long> _articlesIngested;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _deferred;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _sendDuration;
    private readonly Histogram<double> _commitDuration;
    /// <summary>The sending passes under way in this process: their run, and how many claims wait in their queue.</summary>
    private readonly ConcurrentDictionary<object, (long Run, Func<int> ClaimsWaiting)> _passes = new();

    public DigestMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _articlesIngested = meter.CreateCounter<long>("digest.articles.ingested", "{article}", "New articles stored, from any source");
        _sent = meter.CreateCounter<long>("digest.messages.sent", "{message}", "Messages the SMTP server accepted");
        _deferred = meter.CreateCounter<long>("digest.messages.deferred", "{message}", "Handovers refused for now (4xx, connection lost): the message is tried again");
        _failed = meter.CreateCounter<long>("digest.messages.failed", "{message}", "Messages refused for good (5xx)");
        _sendDuration = meter.CreateHistogram("digest.send.duration", "s", "From handing a message to the SMTP server to its acceptance",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _commitDuration = meter.CreateHistogram("digest.ledger.commit.duration", "s", "One group commit of outcomes to the delivery ledger",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        // Read when an exporter collects, from the passes themselves: nothing to count per claim, nothing to drift.
        meter.CreateObservableUpDownCounter("digest.claims.waiting", () => _passes.Values.Sum(p => (long)p.ClaimsWaiting()), "{claim}",
            "Subscribers claimed from the ledger by this process, queued for a message to be built");
        meter.CreateObservableUpDownCounter("digest.runs.in_progress", () => (long)_passes.Values.Select(p => p.Run).Distinct().Count(), "{run}",
            "Runs this process is sending now");
    }

    public void ArticlesIngested(int count)
    {
        if (count > 0)
            _articlesIngested.Add(count);
    }

    /// <summary>The server accepted a message <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) was handed over.</summary>
    public void Sent(string server, long started)
    {
        var tag = new KeyValuePair<string, object?>("server", server);
        _sent.Add(1, tag);
        _sendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
    }

    /// <summary>The server (or the network to it) refused a message, for good or for now.</summary>
    public void Refused(string server, bool permanent) =>
        (permanent ? _failed : _deferred).Add(1, new KeyValuePair<string, object?>("server", server));

    public void Committed(long started) => _commitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

    /// <summary>
    /// A sending pass over <paramref name="runId"/> is under way until the result is disposed; its claims queue holds
    /// <paramref name="claimsWaiting"/> claims at any moment.
    /// </summary>
    public IDisposable PassStarted(long runId, Func<int> claimsWaiting)
    {
        var key = new object();
        _passes[key] = (runId, claimsWaiting);
        return new PassEnd(() => _passes.TryRemove(key, out _));
    }

    private sealed class PassEnd(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}

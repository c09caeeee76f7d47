using Cronos;

namespace Digest.Editions;

/// <summary>Reads an edition's cron in its own time zone.</summary>
public sealed class EditionSchedule
{
    private readonly CronExpression _cron;

    public EditionSchedule(EditionOptions options)
    {
        _cron = CronExpression.Parse(options.Cron, CronFormat.Standard);
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
    }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The slot a firing at <paramref name="now"/> belongs to: the latest scheduled time not after it.</summary>
    public DateTimeOffset? SlotAt(DateTimeOffset now)
    {
        // Cronos only looks forward, so walk forward from a day (or a week) back and keep the last hit.
        foreach (var lookBack in new[] { TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(400) })
        {
            DateTimeOffset? latest = null;
            foreach (var occurrence in _cron.GetOccurrences(now - lookBack, now, TimeZone, fromInclusive: true, toInclusive: true))
                latest = occurrence;
            if (latest is not null)
                return latest;
        }
        return null;
    }

    public IEnumerable<DateTimeOffset> Next(DateTimeOffset after, int count)
    {
        var cursor = after;
        for (int i = 0; i < count; i++)
        {
            var next = _cron.GetNextOccurrence(cursor, TimeZone);
            if (next is null)
                yield break;
            yield return next.Value;
            cursor = next.Value;
        }
    }
}

using System.Globalization;
using Cronos;

namespace Digest.Editions;

/// <summary>
/// Reads an edition's cron in its own time zone. Cronos keeps the local-time promise across DST: a time skipped
/// by spring-forward (02:30) fires once at the jump, a time repeated by fall-back (01:30) fires once, at its first
/// occurrence.
/// </summary>
public sealed class EditionSchedule
{
    private readonly CronExpression _cron;

    public EditionSchedule(EditionOptions options)
    {
        _cron = CronExpression.Parse(options.Cron, CronFormat.Standard);
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        Description = ScheduleWording.Describe(options.Cron, TimeZone.Id)
            + (string.IsNullOrWhiteSpace(options.DeliverAt) ? "" : $", delivered at {options.DeliverAt.Trim()} in each subscriber's own time zone");
    }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The schedule in plain words, e.g. "every day at 07:00 Europe/Berlin".</summary>
    public string Description { get; }

    /// <summary>The slot a firing at <paramref name="now"/> belongs to: the latest scheduled time not after it.</summary>
    public DateTimeOffset? SlotAt(DateTimeOffset now)
    {
        // Cronos only looks forward, so walk forward from a day (or a month, a year) back and keep the last hit.
        foreach (var lookBack in new[] { TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(400) })
        {
            if (LatestBetween(now - lookBack, now) is { } latest)
                return latest;
        }
        return null;
    }

    /// <summary>The latest slot after <paramref name="after"/> and not after <paramref name="upTo"/>, if any.</summary>
    public DateTimeOffset? LatestBetween(DateTimeOffset after, DateTimeOffset upTo)
    {
        DateTimeOffset? latest = null;
        if (upTo > after)
        {
            foreach (var occurrence in _cron.GetOccurrences(after, upTo, TimeZone, fromInclusive: false, toInclusive: true))
                latest = occurrence;
        }
        return latest;
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

    /// <summary>The next slot strictly after <paramref name="after"/>, or null for a cron that never fires again.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => _cron.GetNextOccurrence(after, TimeZone);

    /// <summary>
    /// The next <paramref name="count"/> slots as operators read them, in the edition's zone with its UTC offset
    /// ("Mon 30 Mar 2026 07:00 +02:00"), so a DST change shows.
    /// </summary>
    public IReadOnlyList<string> NextShown(DateTimeOffset after, int count) =>
        Next(after, count)
            .Select(slot => TimeZoneInfo.ConvertTime(slot, TimeZone).ToString("ddd d MMM yyyy HH:mm zzz", CultureInfo.InvariantCulture))
            .ToList();
}

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
    /// A slot of this schedule written as a date and time: with a UTC offset (<c>2026-12-07T07:00+01:00</c>, as the
    /// preview's slot list writes it) or without, read in the edition's zone. Null, with the reason, when the text is
    /// not a date and time or no run of the schedule falls on it.
    /// </summary>
    public DateTimeOffset? ParseSlot(string text, out string? problem)
    {
        problem = null;
        DateTimeOffset slot;
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var withOffset))
            slot = withOffset;
        else if (DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            slot = new DateTimeOffset(local, TimeZone.GetUtcOffset(local));
        else
        {
            problem = $"'{text}' is not a date and time such as 2026-12-07T07:00 (in {TimeZone.Id}) or 2026-12-07T07:00+01:00";
            return null;
        }
        if (NextAfter(slot.AddMinutes(-1)) != slot)
        {
            problem = $"no run is scheduled at {ToLocalText(slot)} ({Description}); the next ones are {string.Join(", ", NextShown(slot.AddMinutes(-1), 3))}";
            return null;
        }
        return slot;
    }

    /// <summary>A slot as the preview's list names it and <see cref="ParseSlot"/> reads it back.</summary>
    public string ToSlotText(DateTimeOffset slot) =>
        TimeZoneInfo.ConvertTime(slot, TimeZone).ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture);

    private string ToLocalText(DateTimeOffset slot) =>
        TimeZoneInfo.ConvertTime(slot, TimeZone).ToString("ddd d MMM yyyy HH:mm zzz", CultureInfo.InvariantCulture);

    /// <summary>
    /// The next <paramref name="count"/> slots as operators read them, in the edition's zone with its UTC offset
    /// ("Mon 30 Mar 2026 07:00 +02:00"), so a DST change shows.
    /// </summary>
    public IReadOnlyList<string> NextShown(DateTimeOffset after, int count) =>
        Next(after, count).Select(ToLocalText).ToList();
}

using System.Globalization;
using Cronos;

namespace Digest.Editions;

/// <summary>
/// When a copy of a local-time edition (Editions:NAME:DeliverAt) is due for a subscriber: the first time the
/// subscriber's own clock shows that hour, at or after the run's slot. DST is handled as for schedules: an hour
/// skipped by spring-forward is delivered at the jump, a repeated one once.
/// </summary>
public static class LocalDelivery
{
    public static TimeOnly? TryParseHour(string text) =>
        TimeOnly.TryParseExact(text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var hour) ? hour : null;

    /// <summary>The instant the copy is due; a subscriber zone that is missing or unknown means the edition's zone.</summary>
    public static DateTimeOffset DueAt(DateTimeOffset slot, TimeOnly hour, string? subscriberZone, TimeZoneInfo editionZone)
    {
        var zone = subscriberZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(subscriberZone, out var own) ? own : editionZone;
        var daily = CronExpression.Parse($"{hour.Minute} {hour.Hour} * * *", CronFormat.Standard);
        return daily.GetNextOccurrence(slot, zone, inclusive: true)!.Value;
    }
}

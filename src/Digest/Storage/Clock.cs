using System.Globalization;

namespace Digest.Storage;

/// <summary>
/// Timestamps are stored as ISO-8601 UTC text with a fixed width, so they compare and sort correctly as
/// strings in every store.
/// </summary>
public static class Clock
{
    private const string StoredFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(StoredFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string stored) =>
        DateTimeOffset.ParseExact(stored, StoredFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

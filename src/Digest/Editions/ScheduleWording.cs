using System.Globalization;

namespace Digest.Editions;

/// <summary>
/// Says a five-field cron in words an operator checks at a glance ("Mondays at 08:00 Europe/Berlin"). Shapes it
/// does not know are shown as the cron itself rather than guessed at.
/// </summary>
internal static class ScheduleWording
{
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] DayAbbreviations = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    public static string Describe(string cron, string timeZone)
    {
        string[] fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? words = fields.Length == 5 ? Words(fields[0], fields[1], fields[2], fields[3], fields[4]) : null;
        return words is null ? $"on the schedule '{cron}' in {timeZone}" : $"{words} {timeZone}";
    }

    private static string? Words(string minute, string hour, string dayOfMonth, string month, string dayOfWeek)
    {
        if (!int.TryParse(minute, NumberStyles.None, CultureInfo.InvariantCulture, out int m) || m > 59 || month != "*")
            return null;
        string? at = hour == "*" ? $"every hour at minute {m}" : Times(hour, m) is { } times ? $"at {times}" : null;
        if (at is null)
            return null;

        bool anyDayOfMonth = dayOfMonth is "*" or "?";
        bool anyDayOfWeek = dayOfWeek is "*" or "?";
        if (anyDayOfMonth && anyDayOfWeek)
            return hour == "*" ? at : $"every day {at}";
        if (anyDayOfMonth && Days(dayOfWeek) is { } days)
            return $"{days} {at}";
        if (anyDayOfWeek && int.TryParse(dayOfMonth, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d is >= 1 and <= 31)
            return $"on day {d} of every month {at}";
        return null;
    }

    /// <summary>"07:00", "07:00 and 19:00", "07:00, 12:00 and 19:00".</summary>
    private static string? Times(string hour, int minute)
    {
        var hours = Numbers(hour, 0, 23);
        return hours is null ? null : Join(hours.Select(h => $"{h:00}:{minute:00}").ToList());
    }

    /// <summary>"Mondays", "Monday to Friday", "Saturdays and Sundays".</summary>
    private static string? Days(string field)
    {
        var upper = field.ToUpperInvariant();
        for (int i = 0; i < DayAbbreviations.Length; i++)
            upper = upper.Replace(DayAbbreviations[i], i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (upper.Split('-') is [var from, var to] && Numbers(from, 0, 7) is [int first] && Numbers(to, 0, 7) is [int last] && first < last)
            return $"{DayNames[first % 7]} to {DayNames[last % 7]}";
        var days = Numbers(upper, 0, 7);
        return days is null ? null : Join(days.Select(day => day % 7).Distinct().Select(day => DayNames[day] + "s").ToList());
    }

    /// <summary>A comma list of plain numbers within bounds, or null for anything else (steps, ranges, names).</summary>
    private static List<int>? Numbers(string field, int min, int max)
    {
        var numbers = new List<int>();
        foreach (string part in field.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
                return null;
            numbers.Add(n);
        }
        return numbers;
    }

    private static string Join(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";
}

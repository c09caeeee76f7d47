namespace Digest.App.Web;

/// <summary>The IANA zones this machine knows, offered as suggestions wherever a time zone is typed.</summary>
internal static class TimeZoneChoices
{
    private static readonly Lazy<IReadOnlyList<string>> Zones = new(() =>
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/')).Order(StringComparer.Ordinal).ToList());

    public static IReadOnlyList<string> All => Zones.Value;

    /// <summary>The zone typed (null for empty), or a problem naming it when this machine does not know it.</summary>
    public static (string? Zone, string? Problem) Read(string? typed)
    {
        string? zone = string.IsNullOrWhiteSpace(typed) ? null : typed.Trim();
        return zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)
            ? (null, $"time zone '{Echo.Short(zone, 60)}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York)")
            : (zone, null);
    }
}

using System.Globalization;
using Digest.Editions;

namespace Digest.App.Web;

/// <summary>How a sent run is named in the archive and its feed.</summary>
internal static class ArchiveTitles
{
    public static readonly CultureInfo Display = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The edition's title and the run's date in the edition's zone; a run of an edition since removed keeps its name and UTC.</summary>
    public static string Of(EditionsOptions editions, Run run)
    {
        if (!editions.TryGetValue(run.Edition, out var options))
            return $"{run.Edition} — {run.Slot.ToString("d MMMM yyyy", Display)}";
        var local = TimeZoneInfo.ConvertTime(run.Slot, new EditionSchedule(options).TimeZone);
        return $"{new Edition(run.Edition, options).Title} — {local.ToString("d MMMM yyyy", Display)}";
    }
}

using Digest.Editions;
using Digest.Subscribers;

namespace Digest.App.Web;

/// <summary>The subscriber list's filters (page, API and CSV export alike), checked the same way everywhere.</summary>
internal static class SubscriberFilters
{
    public static readonly IReadOnlyList<string> Statuses =
        [SubscriberStatus.Pending, SubscriberStatus.Confirmed, SubscriberStatus.Paused, SubscriberStatus.Unsubscribed, SubscriberStatus.Suppressed];

    /// <summary>What is wrong with a status or edition filter, naming the choices; null when both are fine.</summary>
    public static string? Problem(string? status, string? edition, EditionsOptions editions) =>
        !string.IsNullOrEmpty(status) && !Statuses.Contains(status) ? $"status: '{Echo.Short(status)}' is not a status; statuses are {string.Join(", ", Statuses)}"
        : !string.IsNullOrEmpty(edition) && !editions.ContainsKey(edition) ? $"edition: no edition named '{Echo.Short(edition)}'; editions are {string.Join(", ", editions.Keys)}"
        : null;
}

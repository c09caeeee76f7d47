using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Digest.Articles.Feeds;

/// <summary>One RSS 2.0 or Atom feed to take articles from.</summary>
public sealed class FeedSource
{
    /// <summary>Shown to editors as the articles' source (<c>feed:name</c>); unique among the feeds.</summary>
    public string Name { get; set; } = "";

    public string Url { get; set; } = "";

    /// <summary>How often the feed is fetched; at least a minute (the poll job runs once a minute).</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a fetch may take before it counts as failed; a hanging server never holds up the poll.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The "Feeds" section: a list of <see cref="FeedSource"/> (children 0, 1, …); empty when Digest takes no feeds.
/// Beside the list, the section holds <see cref="FeedNetworkOptions"/>.
/// </summary>
public sealed class FeedsOptions : List<FeedSource>
{
    public const string SectionName = "Feeds";
}

public static class FeedsOptionsRegistration
{
    /// <summary>
    /// Binds the list from the numbered children only (the binder would take <c>Feeds:AllowPrivateNetworks</c> for
    /// a feed), and the network setting beside it; both follow edits of the configuration.
    /// </summary>
    public static IServiceCollection AddFeedsOptions(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(FeedsOptions.SectionName);
        services.AddOptionsWithValidateOnStart<FeedsOptions>().Configure(feeds => feeds.AddRange(section.GetChildren()
            .Select(child => (Child: child, Index: int.TryParse(child.Key, out int index) ? index : -1))
            .Where(c => c.Index >= 0).OrderBy(c => c.Index).Select(c => c.Child.Get<FeedSource>() ?? new FeedSource())));
        services.AddSingleton<IOptionsChangeTokenSource<FeedsOptions>>(new ConfigurationChangeTokenSource<FeedsOptions>(section));
        services.AddOptions<FeedNetworkOptions>().Bind(section);
        return services;
    }
}

/// <summary>Checks every feed at start; each message names the feed, the setting and the bad value.</summary>
public sealed class FeedsOptionsValidator : IValidateOptions<FeedsOptions>
{
    public ValidateOptionsResult Validate(string? name, FeedsOptions options)
    {
        var failures = new List<string>();
        for (int i = 0; i < options.Count; i++)
        {
            var feed = options[i];
            string at = $"Feeds:{i}";
            if (!System.Text.RegularExpressions.Regex.IsMatch(feed.Name, "^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$"))
                failures.Add($"{at}:Name: '{feed.Name}' must be letters, digits, '.', '-' or '_' (at most 60)");
            else if (options.Take(i).Any(other => string.Equals(other.Name, feed.Name, StringComparison.OrdinalIgnoreCase)))
                failures.Add($"{at}:Name: '{feed.Name}' is used by another feed; names must be unique");
            if (!ArticleJson.IsWebAddress(feed.Url))
                failures.Add($"{at}:Url: '{feed.Url}' is not an absolute http(s) address");
            if (feed.PollEvery < TimeSpan.FromMinutes(1))
                failures.Add($"{at}:PollEvery: '{feed.PollEvery}' is shorter than a minute; write e.g. 00:15:00");
            if (feed.Timeout <= TimeSpan.Zero || feed.Timeout > TimeSpan.FromMinutes(5))
                failures.Add($"{at}:Timeout: '{feed.Timeout}' must be between 00:00:01 and 00:05:00");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Digest.Editions;
using Microsoft.Extensions.Options;

namespace Digest.Delivery;

/// <summary>
/// Every edition is signed with the DKIM key of its From domain (its own sender's, or Delivery:FromAddress's): while
/// signing is on, a key must cover each edition's domain, or receivers applying DMARC reject that edition alone.
/// </summary>
public sealed class EditionSenderDkimValidator(IOptions<DeliveryOptions> delivery) : IValidateOptions<EditionsOptions>
{
    public ValidateOptionsResult Validate(string? name, EditionsOptions options)
    {
        var settings = delivery.Value;
        if (!settings.Dkim.Enabled)
            return ValidateOptionsResult.Success;
        var failures = options
            .Where(edition => Sends(edition.Value, settings))
            .Select(edition => DkimOptionsCheck.Uncovered(settings.Dkim, edition.Key, EditionSender.Domain(edition.Value, settings)))
            .OfType<string>()
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>A From address that is no address is reported by the settings' own validators, not as a missing key.</summary>
    private static bool Sends(EditionOptions edition, DeliveryOptions settings) =>
        EditionSender.TryFrom(edition, settings, out _);
}

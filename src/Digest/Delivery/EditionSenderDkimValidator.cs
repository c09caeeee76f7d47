using Digest.Editions;
using Microsoft.Extensions.Options;

namespace Digest.Delivery;

/// <summary>
/// An edition with a From address of its own is signed with the same DKIM key as every other edition: its domain
/// must align with the signing domain too, or receivers applying DMARC reject that edition alone.
/// </summary>
public sealed class EditionSenderDkimValidator(IOptions<DeliveryOptions> delivery) : IValidateOptions<EditionsOptions>
{
    public ValidateOptionsResult Validate(string? name, EditionsOptions options)
    {
        var dkim = delivery.Value.Dkim;
        if (!dkim.Enabled || string.IsNullOrWhiteSpace(dkim.Domain))
            return ValidateOptionsResult.Success;
        var failures = options
            .Where(edition => edition.Value.FromAddress is { } from && from.Contains('@')
                && !DkimOptionsCheck.Aligns(dkim.Domain, from[(from.LastIndexOf('@') + 1)..].Trim()))
            .Select(edition => $"Editions:{edition.Key}:FromAddress: '{edition.Value.FromAddress}' is outside the DKIM domain " +
                               $"'{dkim.Domain}' (Delivery:Dkim:Domain), so DMARC would fail for this edition")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

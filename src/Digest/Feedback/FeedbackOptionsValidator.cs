using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Digest.Feedback;

/// <summary>Checks the "Feedback" section at start; each message names the setting and the bad value.</summary>
public sealed partial class FeedbackOptionsValidator : IValidateOptions<FeedbackOptions>
{
    public ValidateOptionsResult Validate(string? name, FeedbackOptions options)
    {
        var failures = new List<string>();
        var returnPath = options.ReturnPath;
        if (!LocalPart().IsMatch(returnPath.LocalPart))
            failures.Add($"Feedback:ReturnPath:LocalPart: '{returnPath.LocalPart}' must be 1 to 10 letters, digits, '.', '_' or '-' (the whole local part must stay within 64 octets)");
        if (!string.IsNullOrWhiteSpace(returnPath.Domain) && Uri.CheckHostName(returnPath.Domain.Trim()) != UriHostNameType.Dns)
            failures.Add($"Feedback:ReturnPath:Domain: '{returnPath.Domain}' is not a domain name");
        if (options.SoftBounceLimit < 1)
            failures.Add($"Feedback:SoftBounceLimit: {options.SoftBounceLimit} must be at least 1");
        if (options.SoftBounceWindow <= TimeSpan.Zero)
            failures.Add($"Feedback:SoftBounceWindow: '{options.SoftBounceWindow}' must be positive");
        var imap = options.Imap;
        if (imap.Enabled)
        {
            if (imap.Port is < 1 or > 65535)
                failures.Add($"Feedback:Imap:Port: {imap.Port} must be between 1 and 65535");
            if (string.IsNullOrWhiteSpace(imap.User))
                failures.Add("Feedback:Imap:User: empty; the mailbox needs a user to sign in as");
            if (imap.PollEvery < TimeSpan.FromMinutes(1))
                failures.Add($"Feedback:Imap:PollEvery: '{imap.PollEvery}' must be at least a minute");
        }
        try
        {
            _ = new Regex(options.Webhooks.SnsCertificateHost);
        }
        catch (ArgumentException error)
        {
            failures.Add($"Feedback:Webhooks:SnsCertificateHost: '{options.Webhooks.SnsCertificateHost}' is not a regular expression: {error.Message}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,10}$")]
    private static partial Regex LocalPart();
}

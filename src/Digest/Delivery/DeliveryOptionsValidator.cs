using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Delivery;

/// <summary>Checks the "Delivery" section at start; each message names the setting and the bad value.</summary>
public sealed class DeliveryOptionsValidator(IHostEnvironment environment) : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var failures = new List<string>();
        bool fromIsAddress = MailboxAddress.TryParse(options.FromAddress, out var from) && from.Address.Contains('@');
        if (!fromIsAddress)
            failures.Add($"Delivery:FromAddress: '{options.FromAddress}' is not an email address");
        if (options.BatchSize is < 1 or > 100_000)
            failures.Add($"Delivery:BatchSize: {options.BatchSize} must be between 1 and 100000");
        if (options.Transport == MailTransportKind.Smtp)
        {
            var smtp = options.Smtp;
            if (string.IsNullOrWhiteSpace(smtp.Host))
                failures.Add("Delivery:Smtp:Host: no SMTP host is set");
            if (smtp.Port is < 1 or > 65535)
                failures.Add($"Delivery:Smtp:Port: {smtp.Port} is not a TCP port (1-65535)");
            if (string.IsNullOrEmpty(smtp.Username) != string.IsNullOrEmpty(smtp.Password))
                failures.Add("Delivery:Smtp: set both Username and Password, or neither");
            if (smtp.Timeout <= TimeSpan.Zero)
                failures.Add($"Delivery:Smtp:Timeout: '{smtp.Timeout}' must be positive");
        }
        if (options.FeedbackId is { } feedback && feedback.Any(char.IsControl))
            failures.Add("Delivery:FeedbackId: contains a line break or another control character");
        if (fromIsAddress) // the DKIM domain is checked against the From domain
            failures.AddRange(DkimOptionsCheck.Problems(options.Dkim, options.SendingDomain, environment.ContentRootPath));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

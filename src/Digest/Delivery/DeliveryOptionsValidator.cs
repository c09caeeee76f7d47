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
        if (!MailboxAddress.TryParse(options.FromAddress, out var from) || !from.Address.Contains('@'))
            failures.Add($"Delivery:FromAddress: '{options.FromAddress}' is not an email address");
        if (options.BatchSize is < 1 or > 100_000)
            failures.Add($"Delivery:BatchSize: {options.BatchSize} must be between 1 and 100000");
        Positive(failures, "Delivery:RetryBackoff", options.RetryBackoff);
        Positive(failures, "Delivery:RetryWindow", options.RetryWindow);
        if (options.MaxRetryBackoff < options.RetryBackoff)
            failures.Add($"Delivery:MaxRetryBackoff: '{options.MaxRetryBackoff}' is shorter than Delivery:RetryBackoff '{options.RetryBackoff}'");
        if (options.Transport == MailTransportKind.Smtp)
            ValidateSmtp(failures, options);
        else
            Positive(failures, "Delivery:ClaimTimeout", options.ClaimTimeout);
        if (options.FeedbackId is { } feedback && feedback.Any(char.IsControl))
            failures.Add("Delivery:FeedbackId: contains a line break or another control character");
        // Whether a key covers each edition's From domain is checked with the editions (EditionSenderDkimValidator).
        failures.AddRange(DkimOptionsCheck.Problems(options.Dkim, environment.ContentRootPath));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateSmtp(List<string> failures, DeliveryOptions options)
    {
        var smtp = options.Smtp;
        Positive(failures, "Delivery:Smtp:Timeout", smtp.Timeout);
        Positive(failures, "Delivery:Smtp:IdleTimeout", smtp.IdleTimeout);
        Positive(failures, "Delivery:Smtp:ServerBackoff", smtp.ServerBackoff);
        Positive(failures, "Delivery:Smtp:ProbeInterval", smtp.ProbeInterval);
        if (options.ClaimTimeout <= smtp.Timeout)
            failures.Add($"Delivery:ClaimTimeout: '{options.ClaimTimeout}' must be longer than Delivery:Smtp:Timeout '{smtp.Timeout}', " +
                         "or a slow send would be taken for a crashed one and sent twice");
        if (smtp.TotalMessagesPerSecond < 0 || double.IsNaN(smtp.TotalMessagesPerSecond))
            failures.Add($"Delivery:Smtp:TotalMessagesPerSecond: {smtp.TotalMessagesPerSecond} must be 0 (no limit) or more");
        for (int i = 0; i < smtp.EffectiveServers.Count; i++)
        {
            string section = smtp.Servers.Count > 0 ? $"Delivery:Smtp:Servers:{i}" : "Delivery:Smtp";
            ValidateServer(failures, section, smtp.EffectiveServers[i]);
            failures.AddRange(RelayTrust.Problems(section, smtp.EffectiveServers[i], environment.ContentRootPath));
        }
    }

    private static void ValidateServer(List<string> failures, string section, SmtpServerOptions server)
    {
        if (string.IsNullOrWhiteSpace(server.Host))
            failures.Add($"{section}:Host: no SMTP host is set");
        if (server.Port is < 1 or > 65535)
            failures.Add($"{section}:Port: {server.Port} is not a TCP port (1-65535)");
        if (string.IsNullOrEmpty(server.Username) != string.IsNullOrEmpty(server.Password))
            failures.Add($"{section}: set both Username and Password, or neither");
        if (server.Connections is < 1 or > 100)
            failures.Add($"{section}:Connections: {server.Connections} must be between 1 and 100");
        if (server.MaxMessagesPerSecond < 0 || double.IsNaN(server.MaxMessagesPerSecond))
            failures.Add($"{section}:MaxMessagesPerSecond: {server.MaxMessagesPerSecond} must be 0 (no limit) or more");
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
            failures.Add($"{setting}: '{value}' must be positive");
    }
}

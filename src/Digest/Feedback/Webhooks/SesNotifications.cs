using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Feedback.Webhooks;

/// <summary>
/// Amazon SES bounce and complaint notifications, delivered by SNS. Every SNS message is signed (RSA, SHA1 for
/// SignatureVersion 1, SHA256 for 2) with the certificate at its <c>SigningCertURL</c>, which must be https on a
/// host matching <see cref="WebhookOptions.SnsCertificateHost"/> (Amazon's own by default). A subscription
/// confirmation, once verified, is confirmed by fetching its SubscribeURL (the same host rule applies).
/// </summary>
public sealed class SesNotifications(IHttpClientFactory http, IOptionsMonitor<FeedbackOptions> options, ILogger<SesNotifications> logger)
{
    public const string HttpClientName = "sns";

    private readonly ConcurrentDictionary<string, X509Certificate2> _certificates = new();

    public async Task<WebhookCall> ReadAsync(JsonElement body, CancellationToken cancellationToken)
    {
        string? type = MailgunEvents.Text(body, "Type");
        if (type is null || MailgunEvents.Text(body, "Signature") is not { } signature || MailgunEvents.Text(body, "SigningCertURL") is not { } certificateUrl)
            return WebhookCall.Unsigned("not a signed SNS message (Type, Signature, SigningCertURL)");
        if (AllowedUrl(certificateUrl) is not { } certificateUri)
            return WebhookCall.Forged($"the signing certificate URL {certificateUrl} is not on an allowed host (Feedback:Webhooks:SnsCertificateHost)");
        var certificate = await CertificateAsync(certificateUri, cancellationToken);
        var hash = MailgunEvents.Text(body, "SignatureVersion") == "2" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;
        using var key = certificate.GetRSAPublicKey();
        if (key is null || !TryBase64(signature, out byte[] signatureBytes)
            || !key.VerifyData(Encoding.UTF8.GetBytes(StringToSign(body, type)), signatureBytes, hash, RSASignaturePadding.Pkcs1))
            return WebhookCall.Forged("the SNS signature does not match");

        string messageId = MailgunEvents.Text(body, "MessageId") ?? "";
        if (type == "SubscriptionConfirmation")
        {
            await ConfirmAsync(body, cancellationToken);
            return new WebhookCall(true, true, Problem: "subscription confirmed");
        }
        if (type != "Notification" || MailgunEvents.Text(body, "Message") is not { } message)
            return new WebhookCall(true, true, Problem: $"nothing to do for {type}");
        using var notification = JsonDocument.Parse(message);
        return new WebhookCall(true, true, $"ses:{messageId}", Report(notification.RootElement));
    }

    /// <summary>SES's notification (or event publishing) JSON: Bounce (Permanent/Transient), Complaint, else nothing to act on.</summary>
    private static FeedbackReport Report(JsonElement ses)
    {
        string type = MailgunEvents.Text(ses, "notificationType") ?? MailgunEvents.Text(ses, "eventType") ?? "";
        string? messageId = ses.TryGetProperty("mail", out var mail) && mail.TryGetProperty("commonHeaders", out var common)
            ? MailgunEvents.Text(common, "messageId") : null;
        var copy = ReturnPath.FromMessageId(messageId);
        if (type == "Bounce" && ses.TryGetProperty("bounce", out var bounce))
        {
            var recipient = First(bounce, "bouncedRecipients");
            string kind = MailgunEvents.Text(bounce, "bounceType") == "Permanent" ? FeedbackKind.HardBounce : FeedbackKind.SoftBounce;
            string reason = string.Join(' ', new[] { MailgunEvents.Text(recipient, "status"), MailgunEvents.Text(recipient, "diagnosticCode") }
                .Where(s => !string.IsNullOrWhiteSpace(s)));
            return new FeedbackReport(kind, $"ses {MailgunEvents.Text(bounce, "bounceType")}/{MailgunEvents.Text(bounce, "bounceSubType")}: {reason}".TrimEnd(' ', ':'),
                copy, MailgunEvents.Text(recipient, "emailAddress")?.ToLowerInvariant());
        }
        if (type == "Complaint" && ses.TryGetProperty("complaint", out var complaint))
            return new FeedbackReport(FeedbackKind.Complaint, $"ses complaint: {MailgunEvents.Text(complaint, "complaintFeedbackType") ?? "abuse"}",
                copy, MailgunEvents.Text(First(complaint, "complainedRecipients"), "emailAddress")?.ToLowerInvariant());
        return new FeedbackReport(FeedbackKind.Ignored, $"ses {type}");
    }

    private static JsonElement First(JsonElement parent, string array) =>
        parent.TryGetProperty(array, out var items) && items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0 ? items[0] : default;

    /// <summary>The fields SNS signs, in its documented order, each as "Name\nValue\n".</summary>
    private static string StringToSign(JsonElement body, string type)
    {
        string[] fields = type == "Notification"
            ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
            : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
        var text = new StringBuilder();
        foreach (string field in fields)
            if (MailgunEvents.Text(body, field) is { } value)
                text.Append(field).Append('\n').Append(value).Append('\n');
        return text.ToString();
    }

    private Uri? AllowedUrl(string url)
    {
        var webhooks = options.CurrentValue.Webhooks;
        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
               && (uri.Scheme == Uri.UriSchemeHttps || (webhooks.SnsAllowHttp && uri.Scheme == Uri.UriSchemeHttp))
               && Regex.IsMatch(uri.Host, webhooks.SnsCertificateHost, RegexOptions.None, TimeSpan.FromSeconds(1))
            ? uri
            : null;
    }

    private async Task<X509Certificate2> CertificateAsync(Uri url, CancellationToken cancellationToken)
    {
        if (_certificates.TryGetValue(url.AbsoluteUri, out var known))
            return known;
        string pem = await http.CreateClient(HttpClientName).GetStringAsync(url, cancellationToken);
        return _certificates.GetOrAdd(url.AbsoluteUri, X509Certificate2.CreateFromPem(pem));
    }

    private async Task ConfirmAsync(JsonElement body, CancellationToken cancellationToken)
    {
        if (MailgunEvents.Text(body, "SubscribeURL") is not { } subscribe || AllowedUrl(subscribe) is not { } uri)
        {
            logger.LogWarning("SNS subscription confirmation with a SubscribeURL on a host that is not allowed: not confirmed");
            return;
        }
        using var response = await http.CreateClient(HttpClientName).GetAsync(uri, cancellationToken);
        response.EnsureSuccessStatusCode();
        logger.LogInformation("Confirmed the SNS subscription of topic {Topic}", MailgunEvents.Text(body, "TopicArn"));
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out int written) && (bytes = bytes[..written]).Length > 0;
    }
}

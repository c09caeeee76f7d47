using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Digest.Feedback.Webhooks;

/// <summary>The outcome of checking a relay's call: the feedback it carries, or why it is refused.</summary>
public sealed record WebhookCall(bool Signed, bool Genuine, string? SourceKey = null, FeedbackReport? Report = null, string? Problem = null)
{
    public static WebhookCall Unsigned(string problem) => new(false, false, Problem: problem);
    public static WebhookCall Forged(string problem) => new(true, false, Problem: problem);
}

/// <summary>
/// Mailgun's event webhook: <c>{"signature": {timestamp, token, signature}, "event-data": {…}}</c>, signed with
/// HMAC-SHA256 over timestamp + token under the account's webhook signing key (<c>Feedback:Webhooks:MailgunSigningKey</c>).
/// A call older than <see cref="MaxAge"/> is refused, so a captured call cannot be replayed later.
/// </summary>
public sealed class MailgunEvents(IOptionsMonitor<FeedbackOptions> options, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(15);

    public WebhookCall Read(JsonElement body)
    {
        string? key = options.CurrentValue.Webhooks.MailgunSigningKey;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("signature", out var signature)
            || Text(signature, "timestamp") is not { } timestamp || Text(signature, "token") is not { } token || Text(signature, "signature") is not { } given)
            return WebhookCall.Unsigned("the call carries no signature {timestamp, token, signature}");
        if (string.IsNullOrEmpty(key))
            return WebhookCall.Forged("Feedback:Webhooks:MailgunSigningKey is not set");
        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(timestamp + token));
        if (!IsHex(given) || !CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(given)))
            return WebhookCall.Forged("the signature does not match");
        if (!long.TryParse(timestamp, CultureInfo.InvariantCulture, out long seconds)
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > MaxAge)
            return WebhookCall.Forged($"the signature's timestamp {timestamp} is more than {MaxAge.TotalMinutes:0} minutes away");
        if (!body.TryGetProperty("event-data", out var data) || data.ValueKind != JsonValueKind.Object)
            return new WebhookCall(true, true, Problem: "no event-data");
        string id = Text(data, "id") ?? token;
        return new WebhookCall(true, true, $"mailgun:{id}", Report(data));
    }

    private static FeedbackReport Report(JsonElement data)
    {
        string kind = (Text(data, "event"), Text(data, "severity")) switch
        {
            ("failed", "permanent") => FeedbackKind.HardBounce,
            ("failed", _) => FeedbackKind.SoftBounce,
            ("complained", _) => FeedbackKind.Complaint,
            ("unsubscribed", _) => FeedbackKind.Unsubscribe,
            _ => FeedbackKind.Ignored,
        };
        string? recipient = Text(data, "recipient")?.ToLowerInvariant();
        string? messageId = data.TryGetProperty("message", out var message) && message.TryGetProperty("headers", out var headers)
            ? Text(headers, "message-id") : null;
        string reason = data.TryGetProperty("delivery-status", out var status)
            ? string.Join(' ', new[] { Number(status, "code"), Text(status, "message"), Text(status, "description") }.Where(s => !string.IsNullOrWhiteSpace(s)))
            : Text(data, "reason") ?? Text(data, "event") ?? "";
        // Mailgun's unsubscribe is its own link, for its own list: the recipient leaves every edition here.
        return new FeedbackReport(kind, $"mailgun {Text(data, "event")}: {reason}".TrimEnd(' ', ':'), ReturnPath.FromMessageId(messageId),
            recipient, Sender: kind == FeedbackKind.Unsubscribe ? recipient : null);
    }

    internal static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch { JsonValueKind.String => value.GetString(), JsonValueKind.Number => value.GetRawText(), _ => null }
            : null;

    private static string? Number(JsonElement element, string name) => Text(element, name);

    private static bool IsHex(string text) => text.Length == 64 && text.All(Uri.IsHexDigit);
}

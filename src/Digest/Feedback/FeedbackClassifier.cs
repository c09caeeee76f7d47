using System.Text;
using System.Text.RegularExpressions;
using Digest.Editions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Feedback;

/// <summary>
/// Says what a message in the feedback mailbox is, in this order: an RFC 5965 feedback report (a complaint), an
/// RFC 3464 delivery status notification (read with MimeKit's <see cref="MultipartReport"/> and
/// <see cref="MessageDeliveryStatus"/>), a bounce in one of the common older text formats (qmail, Exim, Gmail,
/// Exchange, Yahoo), an auto-reply (RFC 3834 <c>Auto-Submitted</c>, vacation notices, challenge-response), an
/// emailed unsubscribe (the digest's List-Unsubscribe mailto, subject <c>unsubscribe {edition}</c>), or none of
/// these. Bounces come first: mail servers mark them <c>Auto-Submitted</c> too.
/// </summary>
public sealed partial class FeedbackClassifier(ReturnPath returnPath, IOptionsMonitor<EditionsOptions> editions)
{
    public FeedbackReport Classify(MimeMessage message)
    {
        var report = FindReport(message.Body);
        string reportType = report?.ReportType ?? "";
        if (report is not null && reportType.Equals("feedback-report", StringComparison.OrdinalIgnoreCase))
            return Complaint(message, report);
        if (report is not null && reportType.Equals("delivery-status", StringComparison.OrdinalIgnoreCase)
            && report.OfType<MessageDeliveryStatus>().FirstOrDefault() is { } status && DeliveryStatus(message, status) is { } bounce)
            return bounce;
        if (LooksLikeBounce(message) && TextBounce(message) is { } textBounce)
            return textBounce;
        if (AutoReplyReason(message) is { } why)
            return new FeedbackReport(FeedbackKind.Ignored, why);
        if (Unsubscribe(message) is { } unsubscribe)
            return unsubscribe;
        return new FeedbackReport(FeedbackKind.Unrecognised, $"not a bounce, complaint or unsubscribe: \"{message.Subject}\"");
    }

    private static MultipartReport? FindReport(MimeEntity? entity) => entity switch
    {
        MultipartReport report => report,
        Multipart multipart => multipart.Select(FindReport).FirstOrDefault(r => r is not null),
        _ => null,
    };

    // ---- RFC 5965 complaints -------------------------------------------------------------------------------

    private FeedbackReport Complaint(MimeMessage message, MultipartReport report)
    {
        var fields = report.OfType<MessageFeedbackReport>().FirstOrDefault()?.Fields;
        string type = fields?["Feedback-Type"]?.Trim() ?? "abuse";
        if (type.Equals("not-spam", StringComparison.OrdinalIgnoreCase))
            return new FeedbackReport(FeedbackKind.Ignored, "a feedback report marking the digest as not spam");
        string? recipient = Address(fields?["Original-Rcpt-To"]) ?? Address(fields?["Removal-Recipient"]);
        string agent = fields?["User-Agent"] ?? fields?["Reporting-MTA"] ?? message.From.Mailboxes.FirstOrDefault()?.Domain ?? "a provider";
        return new FeedbackReport(FeedbackKind.Complaint, $"{type} report from {agent.Trim()}", CopyIn(message), recipient);
    }

    // ---- RFC 3464 delivery status notifications ------------------------------------------------------------

    private FeedbackReport? DeliveryStatus(MimeMessage message, MessageDeliveryStatus status)
    {
        FeedbackReport? worst = null;
        // The first group describes the message; each further group is one recipient.
        foreach (var group in status.StatusGroups.Skip(1))
        {
            string action = group["Action"]?.Trim().ToLowerInvariant() ?? "";
            string code = group["Status"]?.Trim() ?? "";
            string diagnostic = group["Diagnostic-Code"]?.Trim() ?? "";
            string? recipient = Address(group["Final-Recipient"]) ?? Address(group["Original-Recipient"]);
            string reason = string.Join(' ', new[] { code, diagnostic.Length > 0 ? diagnostic : action }.Where(s => s.Length > 0));
            string? kind = action switch
            {
                "failed" => code.StartsWith('4') || IsPolicy(code) ? FeedbackKind.SoftBounce : FeedbackKind.HardBounce,
                "delayed" => FeedbackKind.SoftBounce,
                _ => null, // delivered, relayed, expanded: good news
            };
            if (kind is null)
                continue;
            var candidate = new FeedbackReport(kind, reason, CopyIn(message), recipient);
            if (worst is null || (worst.Kind == FeedbackKind.SoftBounce && kind == FeedbackKind.HardBounce))
                worst = candidate;
        }
        if (worst is null && status.StatusGroups.Count > 1)
            return new FeedbackReport(FeedbackKind.Ignored, "a delivery report saying the digest was delivered or relayed");
        return worst;
    }

    /// <summary>5.7.x: the receiver refuses the sender (policy, reputation), not the mailbox: no reason to drop the reader at once.</summary>
    private static bool IsPolicy(string code) => code.StartsWith("5.7.", StringComparison.Ordinal);

    // ---- bounces in text ------------------------------------------------------------------------------------

    private static bool LooksLikeBounce(MimeMessage message)
    {
        var from = message.From.Mailboxes.FirstOrDefault();
        return message.Headers.Contains("X-Failed-Recipients")
            || (from is not null && (BounceSender().IsMatch(from.LocalPart) || BounceSender().IsMatch(from.Name ?? "")))
            || BounceSubject().IsMatch(message.Subject ?? "");
    }

    /// <summary>
    /// qmail ("I'm afraid I wasn't able to deliver"), Exim ("This is a permanent error. The following address(es)
    /// failed"), Gmail ("Delivery to the following recipient failed permanently" / "has been delayed"), Exchange
    /// ("Delivery has failed to these recipients"), Yahoo ("Sorry, we were unable to deliver"): the status code
    /// when the text has one (enhanced, else basic), else the words.
    /// </summary>
    private FeedbackReport? TextBounce(MimeMessage message)
    {
        string notice = NoticeText(message);
        string? recipient = Address(message.Headers["X-Failed-Recipients"]) ?? FirstAddress(notice);
        var copy = CopyIn(message);
        string reason = ReasonLine(notice);
        if (EnhancedCode().Match(notice) is { Success: true } enhanced)
        {
            string code = enhanced.Value;
            string kind = code.StartsWith('4') || IsPolicy(code) ? FeedbackKind.SoftBounce : FeedbackKind.HardBounce;
            return new FeedbackReport(kind, reason, copy, recipient);
        }
        if (BasicCode().Match(notice) is { Success: true } basic)
            return new FeedbackReport(basic.Value.StartsWith('4') ? FeedbackKind.SoftBounce : FeedbackKind.HardBounce, reason, copy, recipient);
        if (TemporaryWords().IsMatch(notice) || TemporaryWords().IsMatch(message.Subject ?? ""))
            return new FeedbackReport(FeedbackKind.SoftBounce, reason, copy, recipient);
        if (PermanentWords().IsMatch(notice))
            return new FeedbackReport(FeedbackKind.HardBounce, reason, copy, recipient);
        return null;
    }

    /// <summary>The bounce's own words: its text parts up to where the returned message starts.</summary>
    private static string NoticeText(MimeMessage message)
    {
        var text = new StringBuilder();
        foreach (var part in message.BodyParts.OfType<TextPart>())
        {
            if (part.IsAttachment)
                continue;
            text.AppendLine(part.IsHtml ? Articles.Feeds.HtmlText.ToText(part.Text) : part.Text);
        }
        string all = text.ToString();
        return ReturnedCopy().Match(all) is { Success: true } marker ? all[..marker.Index] : all;
    }

    /// <summary>The line holding the status code or the failure words, as the provider's reason.</summary>
    private static string ReasonLine(string notice)
    {
        var lines = notice.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        string? line = lines.FirstOrDefault(l => EnhancedCode().IsMatch(l)) ?? lines.FirstOrDefault(l => BasicCode().IsMatch(l))
            ?? lines.FirstOrDefault(l => PermanentWords().IsMatch(l) || TemporaryWords().IsMatch(l)) ?? lines.FirstOrDefault() ?? "";
        return line.Length > 300 ? line[..300] : line;
    }

    // ---- auto-replies ---------------------------------------------------------------------------------------

    private static string? AutoReplyReason(MimeMessage message)
    {
        var headers = message.Headers;
        if (headers["Auto-Submitted"] is { } submitted && !submitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
            return $"an automatic reply (Auto-Submitted: {submitted.Trim()})";
        foreach (string header in (string[])["X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Vacation", "X-Auto-Response-Suppress"])
            if (headers.Contains(header))
                return $"an automatic reply ({header})";
        if (headers["Precedence"]?.Trim().ToLowerInvariant() is "auto_reply" or "auto-reply")
            return "an automatic reply (Precedence: auto_reply)";
        foreach (string header in (string[])["X-Boxtrapper", "X-Challenge", "X-TMDA", "X-Spam-Arrest"])
            if (headers.Contains(header))
                return $"a challenge-response request ({header})";
        if (headers["X-Delivery-Agent"]?.Contains("TMDA", StringComparison.OrdinalIgnoreCase) == true)
            return "a challenge-response request (TMDA)";
        string subject = message.Subject ?? "";
        if (AutoReplySubject().IsMatch(subject))
            return $"an automatic reply (\"{subject}\")";
        if (ChallengeSubject().IsMatch(subject))
            return $"a challenge-response request (\"{subject}\")";
        return null;
    }

    // ---- emailed unsubscribes -------------------------------------------------------------------------------

    private FeedbackReport? Unsubscribe(MimeMessage message)
    {
        if (UnsubscribeSubject().Match(message.Subject ?? "") is not { Success: true } match)
            return null;
        string? sender = message.From.Mailboxes.FirstOrDefault()?.Address;
        string? edition = match.Groups["edition"].Value.ToLowerInvariant() is { Length: > 0 } named && editions.CurrentValue.ContainsKey(named) ? named : null;
        // A reply to a digest names the copy: its edition when the subject names none.
        var copy = ReturnPath.FromMessageId(message.InReplyTo) ?? message.References.Select(ReturnPath.FromMessageId).FirstOrDefault(c => c is not null);
        return new FeedbackReport(FeedbackKind.Unsubscribe, $"emailed \"{message.Subject}\"", copy, Edition: edition, Sender: sender?.ToLowerInvariant());
    }

    // ---- whom it concerns -----------------------------------------------------------------------------------

    /// <summary>The copy the message is about: a signed return path anywhere in it (it was sent to one), else a digest Message-ID it quotes.</summary>
    private SentCopy? CopyIn(MimeMessage message)
    {
        string text = AllText(message);
        return returnPath.Find(text) ?? ReturnPath.FromMessageId(text);
    }

    /// <summary>Headers and decoded text of the message and of every message or header block it carries.</summary>
    private static string AllText(MimeMessage message)
    {
        var text = new StringBuilder();
        AppendHeaders(text, message.Headers);
        foreach (var entity in message.BodyParts)
        {
            switch (entity)
            {
                case MessagePart { Message: { } returned }:
                    text.AppendLine(AllText(returned));
                    break;
                case TextPart part:
                    text.AppendLine(part.Text);
                    break;
                case MimePart part when part.Content is not null:
                    using (var stream = new MemoryStream())
                    {
                        part.Content.DecodeTo(stream);
                        text.AppendLine(Encoding.UTF8.GetString(stream.ToArray()));
                    }
                    break;
            }
        }
        return text.ToString();
    }

    private static void AppendHeaders(StringBuilder text, HeaderList headers)
    {
        foreach (var header in headers)
            text.Append(header.Field).Append(": ").AppendLine(header.Value);
    }

    /// <summary>The address in a field like <c>rfc822; ana@example.com</c> or <c>&lt;ana@example.com&gt;</c>.</summary>
    private static string? Address(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
            return null;
        string value = field.Contains(';') ? field[(field.IndexOf(';') + 1)..] : field;
        return FirstAddress(value);
    }

    private static string? FirstAddress(string text) =>
        AnAddress().Match(text) is { Success: true } match ? match.Value.ToLowerInvariant() : null;

    [GeneratedRegex(@"^(mailer-daemon|postmaster|mail delivery (system|subsystem)|mail administrator)$", RegexOptions.IgnoreCase)]
    private static partial Regex BounceSender();

    [GeneratedRegex(@"undeliver|undelivered|returned mail|failure notice|delivery (status notification|failure|failed|has failed|problem)|mail delivery failed|could not be delivered|non-?delivery|not delivered|delivery (delayed|warning)|warning: message .* delayed|nicht zustellbar", RegexOptions.IgnoreCase)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.])")]
    private static partial Regex EnhancedCode();

    [GeneratedRegex(@"(?<![\d.#-])[45][0-5]\d(?=[ -])(?![\d.])")]
    private static partial Regex BasicCode();

    [GeneratedRegex(@"temporar|has been delayed|is delayed|delivery delayed|will (be )?retr|not yet been delivered|still trying|deferred|try again later|mailbox (is )?full|over quota", RegexOptions.IgnoreCase)]
    private static partial Regex TemporaryWords();

    [GeneratedRegex(@"permanent|failed permanently|could not be delivered|wasn't delivered|was not delivered|delivery has failed|unable to deliver|wasn't able to deliver|does not exist|doesn't exist|user unknown|unknown user|no such (user|mailbox)|no mailbox|address (was )?not found|couldn't be found|recipient not found|cannot be reached|doesn't have a", RegexOptions.IgnoreCase)]
    private static partial Regex PermanentWords();

    [GeneratedRegex(@"^\s*(-{2,}.*(copy of|original message|below this line|returned message|message headers|undelivered message)|Original message headers:|Received: )", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ReturnedCopy();

    [GeneratedRegex(@"^\s*(auto(matic)?[ -]?(reply|response|antwort|svar)|auto:|out of (the )?office|abwesenheit|absence|away from|vacation|on vacation|autosvar|r[ée]ponse automatique|respuesta autom[aá]tica)", RegexOptions.IgnoreCase)]
    private static partial Regex AutoReplySubject();

    [GeneratedRegex(@"please (confirm|verify) (your|that you|you)|verification (required|request)|confirm your (message|e-?mail)|(spam|sender) (verification|challenge)|is protected by", RegexOptions.IgnoreCase)]
    private static partial Regex ChallengeSubject();

    [GeneratedRegex(@"^\s*(?:(?:re|fwd?|aw|sv)\s*:\s*)*unsubscribe\b\s*(?<edition>[A-Za-z0-9_-]+)?", RegexOptions.IgnoreCase)]
    private static partial Regex UnsubscribeSubject();

    [GeneratedRegex(@"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")]
    private static partial Regex AnAddress();
}

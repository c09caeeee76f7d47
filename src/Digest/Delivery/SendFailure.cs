using System.Text.RegularExpressions;
using MailKit.Net.Smtp;

namespace Digest.Delivery;

/// <summary>
/// What a failed send means for the recipient, decided from the server's reply code: 4xx and network errors are
/// worth retrying, 5xx is final; a mailbox that does not exist (5.1.x) is never mailed again, while a policy refusal
/// (5.7.x) is the sender's problem and leaves the subscriber alone.
/// </summary>
public sealed partial record SendFailure(bool Permanent, bool Suppress, string Reply)
{
    /// <summary>A policy refusal (5.7.x): the sending setup (SPF, DKIM, reputation) needs attention, not the subscriber.</summary>
    public bool SenderProblem { get; init; }

    public static SendFailure Classify(Exception error)
    {
        if (error is not SmtpCommandException command)
            return new SendFailure(false, false, $"{error.GetType().Name}: {error.Message}");

        int code = (int)command.StatusCode;
        string reply = $"{code} {command.Message}".Trim();
        bool permanent = code is >= 500 and < 600;
        var enhanced = EnhancedStatus().Match(command.Message);
        string? subject = enhanced.Success ? enhanced.Groups["subject"].Value : null;
        bool badMailbox = subject is not null
            ? subject == "1"
            : code is 550 or 551 or 553 && command.ErrorCode == SmtpErrorCode.RecipientNotAccepted;
        return new SendFailure(permanent, permanent && badMailbox && command.ErrorCode == SmtpErrorCode.RecipientNotAccepted, reply)
        {
            SenderProblem = permanent && subject == "7",
        };
    }

    /// <summary>421 (service closing) or any 4xx: the server asks us to slow down rather than to give up.</summary>
    public static bool IsThrottling(Exception error) =>
        error is SmtpCommandException { StatusCode: var status } && (int)status is >= 400 and < 500;

    [GeneratedRegex(@"\b[45]\.(?<subject>\d{1,3})\.\d{1,3}\b")]
    private static partial Regex EnhancedStatus();
}

using MimeKit;
using MimeKit.Text;

namespace Digest.Delivery;

/// <summary>
/// A digest message reused copy after copy of one run. What every copy shares (sender, subject, list headers, the
/// parts' structure) is set once; each copy only changes its recipient's headers (To, Message-ID,
/// List-Unsubscribe, Date, the DKIM signature) and its parts' bytes. A new MimeMessage per copy costs MimeKit
/// about as much as MailKit takes to send it.
/// </summary>
/// <remarks>The message belongs to the draft: send it, then fill the draft again for the next copy.</remarks>
public sealed class MessageDraft : IDisposable
{
    private readonly MimeMessage _message;
    private readonly GatedAlternative _body;
    private readonly TextPart _text = new(TextFormat.Plain);
    private readonly TextPart _html = new(TextFormat.Html);
    private readonly string _mailtoUnsubscribe;
    private readonly DkimDomainSigner? _signer;
    private readonly TimeProvider _time;
    private long _dateSecond = -1;

    internal MessageDraft(MailboxAddress from, string subject, string listId, string mailtoUnsubscribe, string? feedbackId,
        DkimDomainSigner? signer, TimeProvider time)
    {
        _mailtoUnsubscribe = mailtoUnsubscribe;
        _signer = signer;
        _time = time;
        _message = new MimeMessage { Subject = subject };
        _message.From.Add(from);
        // Placeholders until the first copy, so every copy's headers come in the same order.
        _message.To.Add(new MailboxAddress("", "recipient@invalid"));
        _message.Headers.Add(HeaderId.ListId, listId);
        _message.Headers.Add(HeaderId.ListUnsubscribe, mailtoUnsubscribe);
        _message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        if (feedbackId is not null)
            _message.Headers.Add(MessageFactory.FeedbackIdHeader, feedbackId);
        _message.Headers.Add("Auto-Submitted", "auto-generated");
        _body = new GatedAlternative { _text, _html };
        _message.Body = _body;
    }

    /// <summary>The message as last filled.</summary>
    public MimeMessage Message => _message;

    /// <summary>
    /// Holds back the end of the filled message until <paramref name="commit"/> has completed: a server cannot accept
    /// a message before its end, so it is accepted only after that commit.
    /// </summary>
    public void SendAfter(Task commit) => _body.SendAfter = commit.WaitAsync;

    /// <summary>Holds back the end of the filled message until <paramref name="wait"/>, started when the end is due, completes.</summary>
    public void SendAfter(Func<CancellationToken, Task> wait) => _body.SendAfter = wait;

    /// <summary>
    /// The draft as the copy for <paramref name="envelope"/>'s recipient, signed when DKIM is on; with
    /// <paramref name="subject"/>, the copy's own (copies of one run differ in it when readers' topics differ).
    /// </summary>
    public MimeMessage Fill(Envelope envelope, MessageBody body, string? subject = null)
    {
        SetDate(_time.GetUtcNow());
        if (subject is not null && !string.Equals(_message.Subject, subject, StringComparison.Ordinal))
            _message.Subject = subject;
        _message.MessageId = envelope.MessageId;
        _message.To[0] = new MailboxAddress(envelope.Recipient.Name, envelope.Recipient.Email);
        _message.Headers[HeaderId.ListUnsubscribe] = $"<{envelope.UnsubscribeUrl}>, {_mailtoUnsubscribe}";
        body.Text.WriteInto(_text);
        body.Html.WriteInto(_html);
        _body.SendAfter = GatedAlternative.NoWait;
        _message.Headers.RemoveAll(HeaderId.DkimSignature);
        _signer?.Sign(_message);
        return _message;
    }

    /// <summary>The Date header counts whole seconds: a draft refilled within the same second keeps the one it has.</summary>
    private void SetDate(DateTimeOffset now)
    {
        long second = now.ToUnixTimeSeconds();
        if (second == _dateSecond)
            return;
        _message.Date = now;
        _dateSecond = second;
    }

    public void Dispose() => _message.Dispose();
}

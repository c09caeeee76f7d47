using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Feedback;

/// <summary>One message of the mailbox and what became of it.</summary>
public sealed record MailboxItem(string Subject, string From, FeedbackResult Result, string MovedTo);

/// <summary>
/// Reads the feedback mailbox (<c>Feedback:Imap</c>) with MailKit: every message in the folder is classified,
/// acted on, then moved to <c>Processed</c> or, when a person should look at it, <c>Unrecognised</c>. Nothing is
/// deleted. A message whose processing fails stays where it is for the next check; one already recorded (a move
/// that failed after the commit) is only moved.
/// </summary>
public sealed class FeedbackMailbox(
    IOptionsMonitor<FeedbackOptions> options,
    FeedbackClassifier classifier,
    FeedbackProcessor processor,
    ILogger<FeedbackMailbox> logger)
{
    public async Task<IReadOnlyList<MailboxItem>> CheckAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue.Imap;
        if (!settings.Enabled)
            throw new InvalidOperationException("Feedback:Imap:Host is not set: there is no feedback mailbox to check.");

        using var client = new ImapClient();
        await client.ConnectAsync(settings.Host!, settings.Port, settings.Security, cancellationToken);
        await client.AuthenticateAsync(settings.User ?? "", settings.Password ?? "", cancellationToken);
        var inbox = settings.Folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase)
            ? client.Inbox
            : await client.GetFolderAsync(settings.Folder, cancellationToken);
        var processed = await FolderAsync(client, settings.ProcessedFolder, cancellationToken);
        var unrecognised = await FolderAsync(client, settings.UnrecognisedFolder, cancellationToken);
        await inbox.OpenAsync(FolderAccess.ReadWrite, cancellationToken);

        var items = new List<MailboxItem>();
        foreach (var uid in await inbox.SearchAsync(SearchQuery.All, cancellationToken))
        {
            MimeMessage message;
            FeedbackResult result;
            try
            {
                message = await inbox.GetMessageAsync(uid, cancellationToken);
                var report = classifier.Classify(message);
                result = await processor.ApplyAsync(SourceKey(message), FeedbackSource.Mailbox, report, cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogError(error, "Feedback mailbox {Mailbox}: message {Uid} could not be processed; it stays for the next check", settings, uid);
                continue;
            }
            var target = result.ForAPerson ? unrecognised : processed;
            await inbox.MoveToAsync(uid, target, cancellationToken);
            items.Add(new MailboxItem(message.Subject ?? "", message.From.ToString(), result, target.FullName));
        }
        await client.DisconnectAsync(quit: true, cancellationToken);
        if (items.Count > 0)
            logger.LogInformation("Feedback mailbox {Mailbox}: {Count} message(s) processed, {ForAPerson} left for a person",
                settings, items.Count, items.Count(i => i.Result.ForAPerson));
        return items;
    }

    /// <summary>The message's Message-ID, or a digest of its bytes when it has none: the key it is recorded under once.</summary>
    private static string SourceKey(MimeMessage message)
    {
        if (!string.IsNullOrWhiteSpace(message.MessageId))
            return $"mailbox:{message.MessageId}";
        using var bytes = new MemoryStream();
        message.WriteTo(bytes);
        return $"mailbox:sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()))}";
    }

    /// <summary>A top-level folder of the personal namespace, created the first time.</summary>
    private static async Task<IMailFolder> FolderAsync(ImapClient client, string name, CancellationToken cancellationToken)
    {
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        try
        {
            return await root.GetSubfolderAsync(name, cancellationToken);
        }
        catch (FolderNotFoundException)
        {
            return await root.CreateAsync(name, isMessageFolder: true, cancellationToken)
                ?? throw new InvalidOperationException($"the IMAP server did not create the folder '{name}'");
        }
    }
}

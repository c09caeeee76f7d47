using Hangfire;

namespace Digest.Feedback;

/// <summary>The feedback mailbox check Hangfire runs every <see cref="ImapOptions.PollEvery"/>; safe to run twice.</summary>
public sealed class FeedbackJobs(FeedbackMailbox mailbox)
{
    public const string CheckJobId = "feedback:check";

    /// <summary>Two checks at once would only race to move the same messages: the second waits for the first.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0)] // the next check comes soon enough
    public Task CheckMailboxAsync(CancellationToken cancellationToken) => mailbox.CheckAsync(cancellationToken);
}

using System.Net;
using System.Security.Cryptography;
using Dapper;
using Digest.Delivery;
using Digest.Rendering;
using Digest.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Digest.Editions;

/// <summary>Who is told that a run awaits approval: the signed-in users who may approve it, with their email addresses.</summary>
/// <remarks>A seam because the users are the web host's settings (Users:NAME), not the engine's.</remarks>
public interface IEditorAddresses
{
    IReadOnlyList<MailboxAddress> Editors();
}

/// <summary>The engine alone (the CLI) knows no editors: the service's resume job tells them.</summary>
internal sealed class NoEditorAddresses : IEditorAddresses
{
    public IReadOnlyList<MailboxAddress> Editors() => [];
}

/// <summary>
/// Tells editors that a run awaits their approval: one email each, through the configured transport, with the
/// absolute link to the run's review page. Not a delivery: the ledger never sees it. Each run's notice is claimed in
/// the store before it goes, so two processes (or a repeated job) tell editors once; a send that fails gives the
/// claim back for the next resume pass.
/// </summary>
public sealed class ReviewNotice(
    Database database,
    IMailTransport transport,
    IEditorAddresses editors,
    IOptions<SiteOptions> site,
    IOptions<DeliveryOptions> delivery,
    IOptionsMonitor<EditionsOptions> editions,
    TimeProvider time,
    ILogger<ReviewNotice> logger)
{
    /// <summary>The review page of a run, as the workspace serves it.</summary>
    public static string ReviewPath(long runId) => $"/runs/{runId}/review";

    public string ReviewUrl(long runId) => site.Value.PublicUrl.TrimEnd('/') + ReviewPath(runId);

    /// <summary>Sends the notice of every run awaiting approval whose editors were not told yet; returns how many runs.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken = default)
    {
        var to = editors.Editors();
        if (to.Count == 0)
            return 0; // told by a process that knows the editors (the service), or on its review page
        await using var connection = await database.OpenAsync(cancellationToken);
        var due = (await connection.QueryAsync<(long Id, string Edition, string Slot, string Until, string Then)>("""
            SELECT id, edition, slot, review_until, review_then FROM runs
            WHERE status = @awaiting AND review_notified_at IS NULL ORDER BY id
            """, new { awaiting = RunStatus.AwaitingApproval })).ToList();
        int told = 0;
        foreach (var run in due)
        {
            bool claimed = await connection.ExecuteAsync(
                "UPDATE runs SET review_notified_at = @now WHERE id = @id AND review_notified_at IS NULL",
                new { id = run.Id, now = Clock.Format(time.GetUtcNow()) }) == 1;
            if (!claimed)
                continue;
            try
            {
                foreach (var editor in to)
                {
                    using var message = Build(run.Id, run.Edition, Clock.Parse(run.Slot), Clock.Parse(run.Until), run.Then, editor);
                    await transport.SendAsync(message, cancellationToken);
                }
                told++;
                logger.LogInformation("Run {RunId} awaits approval: {Editors} editors told", run.Id, to.Count);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                await connection.ExecuteAsync("UPDATE runs SET review_notified_at = NULL WHERE id = @id", new { id = run.Id });
                logger.LogWarning(error, "Run {RunId} awaits approval, but telling editors failed; trying again at the next resume pass", run.Id);
            }
        }
        return told;
    }

    private MimeMessage Build(long runId, string editionName, DateTimeOffset slot, DateTimeOffset until, string then, MailboxAddress editor)
    {
        var settings = delivery.Value;
        string title = editions.CurrentValue.TryGetValue(editionName, out var options) ? new Edition(editionName, options).Title : editionName;
        string url = ReviewUrl(runId);
        string slotText = RunReviewState.Shown(slot);
        string untilText = RunReviewState.Shown(until);
        string afterwards = then == nameof(AfterReviewDeadline.SendAnyway) ? "it is sent as it stands" : "it is skipped and nothing is sent";
        var message = new MimeMessage
        {
            Subject = $"Review needed: {title} for {slotText}",
            Date = time.GetUtcNow(),
            MessageId = $"review.{runId}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}@{settings.SendingDomain}",
        };
        message.From.Add(new MailboxAddress(settings.FromName, settings.FromAddress));
        message.To.Add(editor);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        string text = $"""
            Run {runId} of {title} (slot {slotText}) is composed and waits for an editor's approval.
            Nothing goes to subscribers until it is approved.

            Preview it, take articles out, edit its note and approve it here:

            {url}

            If nobody approves it by {untilText}, {afterwards}.
            """;
        string html = $"""
            <!DOCTYPE html><html><body style="font-family:sans-serif">
            <p>Run {runId} of <strong>{Encode(title)}</strong> (slot {slotText}) is composed and waits for an editor's approval.
            Nothing goes to subscribers until it is approved.</p>
            <p><a href="{Encode(url)}">Review run {runId}</a>: preview it, take articles out, edit its note and approve it.</p>
            <p>If nobody approves it by {untilText}, {afterwards}.</p>
            </body></html>
            """;
        message.Body = new MultipartAlternative { BodyPart.FromText(text).ToMime(TextFormat.Plain), BodyPart.FromText(html).ToMime(TextFormat.Html) };
        return message;
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

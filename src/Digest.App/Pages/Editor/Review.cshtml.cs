using Digest.App.Web;
using Digest.Articles;
using Digest.Editions;
using Digest.Rendering;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages.Editor;

/// <summary>
/// The review of a run held for approval (Editions:NAME:Review = Required): the frozen digest as a chosen recipient of
/// the run gets it (HTML and text), its articles with a way to take each out, its note to edit, and Approve. Once the
/// run is decided (approved, sent anyway or skipped) the page says so and changes nothing.
/// </summary>
public sealed class ReviewModel(RunReview review, EditionJobs jobs, ILogger<ReviewModel> logger) : PageModel
{
    private const int Recipients = 200;

    public RunReviewState State { get; private set; } = null!;
    public IReadOnlyList<Article> Articles { get; private set; } = [];
    public IReadOnlyList<RunRecipient> Audience { get; private set; } = [];
    public long? Subscriber { get; private set; }
    public string? Outcome { get; private set; }

    [BindProperty]
    public string Note { get; set; } = "";

    /// <summary>The note as the digest's HTML part shows it (NoteMarkdown encodes every text and drops raw HTML).</summary>
    public string? NoteHtml => string.IsNullOrWhiteSpace(Note) ? null : NoteMarkdown.ToHtml(Note);

    public string FrameQuery => Subscriber is { } id ? QueryString.Create("subscriber", id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToString() : "";

    public async Task<IActionResult> OnGetAsync(long id, long? subscriber, CancellationToken cancellationToken)
    {
        Subscriber = subscriber;
        return await ShowAsync(id, StatusCodes.Status200OK, null, cancellationToken);
    }

    public async Task<IActionResult> OnPostExcludeAsync(long id, long article, CancellationToken cancellationToken)
    {
        bool changed = await review.ExcludeAsync(id, article, Editor, cancellationToken);
        return changed ? LocalRedirect(ReviewNotice.ReviewPath(id)) : await DecidedAsync(id, "Nothing was taken out", cancellationToken);
    }

    public async Task<IActionResult> OnPostNoteAsync(long id, CancellationToken cancellationToken)
    {
        if (Note.Length > EditionNotes.MaxLength)
        {
            // The text stays in the form, so nothing the editor wrote is lost.
            string tooLong = $"Not saved: the note is {Note.Length} characters long; the limit is {EditionNotes.MaxLength}.";
            return await ShowAsync(id, StatusCodes.Status400BadRequest, tooLong, cancellationToken, keepNote: true);
        }
        bool changed = await review.SaveNoteAsync(id, Note, Editor, cancellationToken);
        return changed ? LocalRedirect(ReviewNotice.ReviewPath(id)) : await DecidedAsync(id, "The note was not saved", cancellationToken, keepNote: true);
    }

    public async Task<IActionResult> OnPostApproveAsync(long id, CancellationToken cancellationToken)
    {
        if (await review.GetAsync(id, cancellationToken) is null)
            return Missing(id);
        if (!await jobs.ApproveAsync(id, Editor, cancellationToken))
            return await ShowAsync(id, StatusCodes.Status200OK, "Already decided: nothing more is sent.", cancellationToken);
        return LocalRedirect($"/runs/{id}");
    }

    private string Editor => User.Identity?.Name ?? "";

    /// <summary>A change to a run that no longer awaits approval: refused (409), saying what became of the run.</summary>
    private async Task<IActionResult> DecidedAsync(long id, string what, CancellationToken cancellationToken, bool keepNote = false)
    {
        var state = await review.GetAsync(id, cancellationToken);
        if (state is null)
            return Missing(id);
        logger.LogInformation("{Editor} tried to change run {RunId}, which is {State}", Editor, id, state.Wording);
        return await ShowAsync(id, StatusCodes.Status409Conflict, $"{what}: the run is {state.Wording}.", cancellationToken, keepNote);
    }

    private async Task<IActionResult> ShowAsync(long id, int status, string? outcome, CancellationToken cancellationToken, bool keepNote = false)
    {
        if (await review.GetAsync(id, cancellationToken) is not { } state)
            return Missing(id);
        State = state;
        var (articles, note) = await review.ContentAsync(id, cancellationToken);
        Articles = articles;
        if (!keepNote)
            Note = note ?? "";
        Audience = await review.RecipientsAsync(id, Recipients, cancellationToken);
        Outcome = outcome;
        Response.StatusCode = status;
        return Page();
    }

    private PartialViewResult Missing(long id) =>
        this.Problem(StatusCodes.Status404NotFound, "No run to review", $"There is no run {id} held for review.");
}

using Digest.App.Web;
using Digest.Editions;
using Digest.Rendering;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Editor;

/// <summary>The editor's note for an edition's next run: write it in Markdown, see it as readers will, save or clear it.</summary>
public sealed class NoteModel(IOptionsMonitor<EditionsOptions> editions, EditionNotes notes, TimeProvider time, ILogger<NoteModel> logger) : PageModel
{
    public Edition Edition { get; private set; } = null!;
    public EditorNote? Saved { get; private set; }
    public string? NextRun { get; private set; }
    public string? Outcome { get; private set; }

    [BindProperty]
    public string Markdown { get; set; } = "";

    /// <summary>The note as the digest's HTML part shows it (NoteMarkdown encodes every text and drops raw HTML).</summary>
    public string? PreviewHtml => string.IsNullOrWhiteSpace(Markdown) ? null : NoteMarkdown.ToHtml(Markdown);

    public async Task<IActionResult> OnGetAsync(string edition, CancellationToken cancellationToken)
    {
        if (Find(edition) is { } missing)
            return missing;
        Saved = await notes.GetAsync(Edition.Name, cancellationToken);
        Markdown = Saved?.Markdown ?? "";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string edition, CancellationToken cancellationToken)
    {
        if (Find(edition) is { } missing)
            return missing;
        if (Markdown.Length > EditionNotes.MaxLength)
        {
            // The text stays in the form, so nothing the editor wrote is lost.
            Outcome = $"Not saved: the note is {Markdown.Length} characters long; the limit is {EditionNotes.MaxLength}.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Saved = await notes.GetAsync(Edition.Name, cancellationToken);
            return Page();
        }
        await notes.SaveAsync(Edition.Name, Markdown, User.Identity?.Name ?? "", cancellationToken);
        logger.LogInformation("{Editor} {Action} the note for the next run of {Edition}", User.Identity?.Name, Markdown.Trim().Length == 0 ? "cleared" : "saved", Edition.Name);
        Saved = await notes.GetAsync(Edition.Name, cancellationToken);
        Markdown = Saved?.Markdown ?? "";
        Outcome = Saved is null ? "The note is cleared: the next run goes out without one." : "Saved: the next run carries this note.";
        return Page();
    }

    private PartialViewResult? Find(string edition)
    {
        if (!editions.CurrentValue.ContainsKey(edition))
            return this.Problem(StatusCodes.Status404NotFound, "No such edition", $"There is no edition '{Echo.Short(edition)}'.");
        Edition = editions.CurrentValue.Get(edition);
        NextRun = new EditionSchedule(Edition.Options).NextShown(time.GetUtcNow(), 1).FirstOrDefault();
        return null;
    }
}

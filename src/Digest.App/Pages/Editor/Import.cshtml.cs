using System.Text;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Editor;

/// <summary>CSV import with a report naming each rejected row and why.</summary>
[RequestSizeLimit(MaxImportBytes + 64 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxImportBytes + 64 * 1024)]
public sealed class ImportModel(SubscriberDirectory directory, IOptionsMonitor<EditionsOptions> editions) : PageModel
{
    public const int MaxImportBytes = 5 * 1024 * 1024;

    public ImportReport? Report { get; private set; }
    public string? FileName { get; private set; }
    public string? Problem { get; private set; }
    public IEnumerable<string> EditionNames => editions.CurrentValue.Keys;

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        if (file is null || file.Length == 0)
            return Refuse(StatusCodes.Status400BadRequest, "Choose a CSV file to import.");
        if (file.Length > MaxImportBytes)
            return Refuse(StatusCodes.Status413PayloadTooLarge, $"The file has {file.Length:N0} bytes; the limit is {MaxImportBytes:N0}. Split it.");
        using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var (rows, rejected) = SubscriberCsv.Read(reader, editions.CurrentValue.Keys.Select(k => k.ToLowerInvariant()).ToList());
        Report = await directory.ImportAsync(rows, rejected, cancellationToken);
        FileName = Path.GetFileName(file.FileName);
        return Page();
    }

    private PageResult Refuse(int status, string problem)
    {
        Problem = problem;
        Response.StatusCode = status;
        return Page();
    }
}

using System.Text;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.App.Web;

/// <summary>Editors' subscriber pages: list, search and filter; CSV import with a report; CSV export; the same list as JSON.</summary>
internal static class SubscriberAdminPages
{
    private const int Shown = 500;
    private const int MaxImportBytes = 5 * 1024 * 1024;
    private static readonly string[] Statuses =
        [SubscriberStatus.Pending, SubscriberStatus.Confirmed, SubscriberStatus.Paused, SubscriberStatus.Unsubscribed, SubscriberStatus.Suppressed];

    /// <summary>Maps the pages; the caller decides who may reach them (editors).</summary>
    public static void MapSubscriberAdmin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/subscribers", async (HttpContext context, string? q, string? status, string? edition, SubscriberDirectory directory,
            IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            if (Problem(status, edition, editions.CurrentValue) is { } problem)
                return Page.Html("Subscribers", $"<h1>Subscribers</h1><p class=\"error\">{Page.E(problem)}</p>", StatusCodes.Status400BadRequest);
            var listings = await directory.SearchAsync(new(q, status, edition), Shown, cancellationToken);
            return Page.Html("Subscribers", ListPage(context, q, status, edition, editions.CurrentValue, listings));
        });

        app.MapGet("/api/subscribers", async (string? q, string? status, string? edition, SubscriberDirectory directory,
            IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            if (Problem(status, edition, editions.CurrentValue) is { } problem)
                return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
            var listings = await directory.SearchAsync(new(q, status, edition), Shown, cancellationToken);
            return Results.Ok(listings.Select(l => new { l.Subscriber.Id, l.Subscriber.Email, l.Subscriber.Name, l.Subscriber.Status, l.Editions }));
        });

        app.MapGet("/subscribers/export.csv", async (string? q, string? status, string? edition, SubscriberDirectory directory,
            IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            if (Problem(status, edition, editions.CurrentValue) is { } problem)
                return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
            var listings = await directory.SearchAsync(new(q, status, edition), int.MaxValue, cancellationToken);
            return Results.File(Encoding.UTF8.GetBytes(SubscriberCsv.Write(listings)), "text/csv; charset=utf-8", "subscribers.csv");
        });

        app.MapGet("/subscribers/import", (HttpContext context, IOptionsMonitor<EditionsOptions> editions) =>
            Page.Html("Import subscribers", ImportForm(context, editions.CurrentValue)));

        // An IFormFile parameter makes this a form endpoint: UseAntiforgery checks its token first.
        app.MapPost("/subscribers/import", async (HttpContext context, IFormFile? file, SubscriberDirectory directory,
            IOptionsMonitor<EditionsOptions> editions, CancellationToken cancellationToken) =>
        {
            if (file is null || file.Length == 0)
                return Page.Html("Import subscribers", $"<p class=\"error\">Choose a CSV file to import.</p>{ImportForm(context, editions.CurrentValue)}", StatusCodes.Status400BadRequest);
            if (file.Length > MaxImportBytes)
                return Page.Html("Import subscribers", $"<p class=\"error\">The file has {file.Length:N0} bytes; the limit is {MaxImportBytes:N0}. Split it.</p>{ImportForm(context, editions.CurrentValue)}",
                    StatusCodes.Status413PayloadTooLarge);
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var (rows, rejected) = SubscriberCsv.Read(reader, editions.CurrentValue.Keys.Select(k => k.ToLowerInvariant()).ToList());
            var report = await directory.ImportAsync(rows, rejected, cancellationToken);
            return Page.Html("Import report", ImportReportPage(file.FileName, report));
        });
    }

    private static string? Problem(string? status, string? edition, EditionsOptions editions) =>
        !string.IsNullOrEmpty(status) && !Statuses.Contains(status) ? $"status: '{status}' is not a status; statuses are {string.Join(", ", Statuses)}"
        : !string.IsNullOrEmpty(edition) && !editions.ContainsKey(edition) ? $"edition: no edition named '{edition}'; editions are {string.Join(", ", editions.Keys)}"
        : null;

    private static string Options(IEnumerable<string> values, string? selected) => string.Concat(values.Select(v =>
        $"""<option value="{Page.E(v)}"{(string.Equals(v, selected, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{Page.E(v)}</option>"""));

    private static string ListPage(HttpContext context, string? q, string? status, string? edition, EditionsOptions editions,
        IReadOnlyList<SubscriberListing> listings)
    {
        string query = QueryString.Create(new KeyValuePair<string, string?>[] { new("q", q), new("status", status), new("edition", edition) }).ToUriComponent();
        var rows = listings.Select(l => $"""
            <tr><td>{l.Subscriber.Id}</td><td>{Page.E(l.Subscriber.Email)}</td><td>{Page.E(l.Subscriber.Name)}</td>
            <td>{Page.E(l.Subscriber.Status)}</td><td>{Page.E(string.Join(", ", l.Editions))}</td></tr>
            """);
        return $"""
            {Access.SignInPages.SignOutForm(context)}
            <h1>Subscribers</h1>
            <form method="get" action="/subscribers" role="search">
            <input name="q" placeholder="address or name" value="{Page.E(q)}">
            <select name="status"><option value="">any status</option>{Options(Statuses, status)}</select>
            <select name="edition"><option value="">any edition</option>{Options(editions.Keys.Select(k => k.ToLowerInvariant()), edition)}</select>
            <button type="submit">Filter</button>
            </form>
            <p><a href="/subscribers/export.csv{Page.E(query)}">Export these as CSV</a> · <a href="/subscribers/import">Import a CSV</a> · <a href="/preview">Preview</a></p>
            <p class="muted">{listings.Count} shown{(listings.Count == Shown ? $" (the first {Shown}; narrow the search to see others)" : "")}.</p>
            <table><thead><tr><th>Id</th><th>Email</th><th>Name</th><th>Status</th><th>Editions</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody></table>
            """;
    }

    private static string ImportForm(HttpContext context, EditionsOptions editions) => $"""
        <h1>Import subscribers</h1>
        <p>A CSV file with the columns <code>email,name,editions</code> (editions separated by <code>;</code>, from
        {Page.E(string.Join(", ", editions.Keys))}), with or without a header row. Rows for the same address are merged.
        New addresses are added confirmed; known ones only gain editions they never had.</p>
        <form method="post" action="/subscribers/import" enctype="multipart/form-data">
        {Page.AntiforgeryField(context)}
        <input type="file" name="file" accept=".csv,text/csv" required>
        <button type="submit" id="import">Import</button>
        </form>
        """;

    private static string ImportReportPage(string fileName, ImportReport report)
    {
        string rejected = report.Rejected.Count == 0 ? "<p>No row was rejected.</p>" : $"""
            <h2>{report.Rejected.Count} rows rejected</h2>
            <table><thead><tr><th>Row</th><th>Why</th></tr></thead><tbody>
            {string.Concat(report.Rejected.Select(r => $"<tr><td>{r.Row}</td><td>{Page.E(r.Reason)}</td></tr>"))}
            </tbody></table>
            """;
        return $"""
            <h1>Import report</h1>
            <p>{Page.E(fileName)}: <strong id="added">{report.Added}</strong> added, <strong id="merged">{report.Merged}</strong> merged into existing subscribers.</p>
            {rejected}
            <p><a href="/subscribers">Subscribers</a></p>
            """;
    }
}

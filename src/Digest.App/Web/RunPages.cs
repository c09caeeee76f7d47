using Digest.Delivery;
using Digest.Editions;

namespace Digest.App.Web;

/// <summary>Runs for operators: progress (sent, failed, pending, rate, ETA), failed recipients with the server's reply, resend.</summary>
internal static class RunPages
{
    private const int FailedShown = 500;

    /// <summary>Maps the pages; the caller decides who may reach them (editors).</summary>
    public static void MapRunPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/runs", async (RunMonitor monitor, CancellationToken cancellationToken) =>
        {
            var rows = (await monitor.RecentAsync(50, cancellationToken)).Select(run => $"""
                <tr><td><a href="/runs/{run.RunId}">{run.RunId}</a></td><td>{Page.E(run.Edition)}</td><td>{run.Slot:yyyy-MM-dd HH:mm}</td>
                <td>{Page.E(run.Status)}</td><td>{run.Sent}/{run.Total}</td><td>{run.Failed}</td><td>{run.Pending + run.Retrying}</td></tr>
                """);
            return Page.Html("Runs", $"""
                <h1>Runs</h1>
                <table><tr><th>Run</th><th>Edition</th><th>Slot (UTC)</th><th>Status</th><th>Sent</th><th>Failed</th><th>Pending</th></tr>
                {string.Concat(rows)}</table>
                """);
        });

        app.MapGet("/runs/{runId:long}", async (HttpContext context, long runId, RunMonitor monitor, DeliveryLedger ledger, CancellationToken cancellationToken) =>
        {
            if (await monitor.GetAsync(runId, cancellationToken) is not { } run)
                return Page.Html("No such run", $"<h1>No run {runId}</h1><p><a href=\"/runs\">All runs</a></p>", StatusCodes.Status404NotFound);
            var failed = await ledger.FailedAsync(runId, FailedShown, cancellationToken);
            var rows = failed.Select(f => $"""
                <tr><td>{Page.E(f.Email)}</td><td>{Page.E(f.Status)}</td><td>{f.Attempts}</td><td><code>{Page.E(f.LastReply)}</code></td></tr>
                """);
            string eta = run.Eta is { } left ? left.ToString(@"hh\:mm\:ss") : "—";
            // While sending, the page refreshes itself: progress without a script.
            string refresh = run.Status == RunStatus.Sending ? "<meta http-equiv=\"refresh\" content=\"2\">" : "";
            return Page.Html($"Run {runId}", $"""
                {refresh}
                <h1>Run {runId} · {Page.E(run.Edition)}</h1>
                <p><progress max="1" value="{run.Done:0.####}"></progress> {run.Done:P0}</p>
                <dl id="progress">
                <dt>Status</dt><dd id="status">{Page.E(run.Status)}</dd>
                <dt>Sent</dt><dd id="sent">{run.Sent} of {run.Total}</dd>
                <dt>Failed</dt><dd id="failed">{run.Failed}</dd>
                <dt>To retry</dt><dd id="retrying">{run.Retrying}</dd>
                <dt>Pending</dt><dd id="pending">{run.Pending}</dd>
                <dt>Skipped</dt><dd id="skipped">{run.Skipped}</dd>
                <dt>Rate</dt><dd id="rate">{run.MessagesPerSecond:0.#} messages/s</dd>
                <dt>ETA</dt><dd id="eta">{eta}</dd>
                </dl>
                <h2>Not delivered</h2>
                <table id="failures"><tr><th>Recipient</th><th>Status</th><th>Attempts</th><th>Server's reply</th></tr>{string.Concat(rows)}</table>
                <form method="post" action="/runs/{runId}/resend">{Page.AntiforgeryField(context)}<button type="submit"{(run.Failed == 0 ? " disabled" : "")}>Resend to the {run.Failed} failed</button></form>
                <p><a href="/runs">All runs</a></p>
                """);
        });

        app.MapPost("/runs/{runId:long}/resend", async (long runId, RunMonitor monitor, EditionJobs jobs, CancellationToken cancellationToken) =>
        {
            if (await monitor.GetAsync(runId, cancellationToken) is null)
                return Results.Problem($"There is no run {runId}.", statusCode: StatusCodes.Status404NotFound);
            await jobs.ResendFailedAsync(runId, cancellationToken);
            return Results.Redirect($"/runs/{runId}", preserveMethod: false);
        }).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute());
    }
}

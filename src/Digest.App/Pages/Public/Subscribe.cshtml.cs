using Digest.App.Web;
using Digest.Editions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Digest.App.Pages.Public;

/// <summary>The sign-up form: the same answer for every accepted address, whether or not it was known.</summary>
[RateLimited(RateLimits.SignUp)]
[RequestSizeLimit(RateLimits.MaxFormBytes)]
public sealed class SubscribeModel(IOptionsMonitor<EditionsOptions> editions, SignUpService signUp) : PageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string[]? Editions { get; set; }
    /// <summary>Topics a link to the form preselects (<c>/subscribe?topics=energy,transport</c>); the reader may untick them.</summary>
    [BindProperty(SupportsGet = true)] public string[]? Topics { get; set; }

    public IReadOnlyList<string> OfferedTopics => Digest.Articles.ArticleTopics.Lenient((Topics ?? []).SelectMany(t => (t ?? "").Split(',')));

    public IReadOnlyList<string> Problems { get; private set; } = [];
    public bool Accepted { get; private set; }
    public EditionChoices Choices => EditionChoices.From(editions.CurrentValue,
        Editions ?? [editions.CurrentValue.Keys.FirstOrDefault()?.ToLowerInvariant() ?? ""]);

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (request, problems) = new SignUpRequest { Name = Name, Email = Email, Editions = Editions, Topics = Topics }.Validate(editions.CurrentValue);
        if (request is null)
        {
            Problems = problems.Values.SelectMany(p => p).ToList();
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (!await signUp.SignUpAsync(request, cancellationToken))
            return this.Problem(StatusCodes.Status503ServiceUnavailable, "Try again later",
                "The confirmation email could not be sent just now; try again in a few minutes.");
        Accepted = true;
        return Page();
    }
}

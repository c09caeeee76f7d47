using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Digest.App.Pages;

/// <summary>
/// The one page for errors: status code pages re-execute here for a 4xx without a body, the exception handler for a
/// 500. It runs for whatever method failed, so it neither asks for sign-in nor for an antiforgery token.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "";
    public string Message { get; private set; } = "";

    public void OnGet(int code) => Describe(code);
    public void OnPost(int code) => Describe(code);

    private void Describe(int code)
    {
        (Title, Message) = code switch
        {
            StatusCodes.Status404NotFound => ("Not found", "There is nothing at this address."),
            StatusCodes.Status403Forbidden => ("Not allowed", "Your account does not have the role this page needs."),
            StatusCodes.Status400BadRequest => ("Bad request", "The request could not be understood; reload the page and try again."),
            StatusCodes.Status405MethodNotAllowed => ("Not allowed", "This address does not take that kind of request."),
            StatusCodes.Status413PayloadTooLarge => ("Too large", "What was sent is larger than this page accepts."),
            StatusCodes.Status429TooManyRequests => ("Too many requests", "Wait a little and try again."),
            >= 500 => ("Something went wrong", "The error was logged; try again in a moment."),
            _ => ("Something is not right", $"The request ended with status {code}."),
        };
        // The exception handler and status code pages keep the original status; a direct visit is a 200.
        if (HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is null
            && HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>() is null)
            Response.StatusCode = StatusCodes.Status200OK;
    }
}

using System.ComponentModel.DataAnnotations;

namespace Digest.App.Web;

/// <summary>The "Api" section: the HTTP API that accepts articles.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>
    /// The key clients send as <c>X-Api-Key</c> (or <c>Authorization: Bearer</c>). Never committed: set it in the
    /// environment (<c>Api__Key</c>). While it is empty the API refuses every request.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Requests with a larger body are refused with 413.</summary>
    [Range(1, 64 * 1024 * 1024, ErrorMessage = "Api:MaxArticleBytes must be between 1 and 67108864 bytes")]
    public long MaxArticleBytes { get; set; } = 1024 * 1024;
}

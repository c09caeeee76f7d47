using System.Net;
using System.Text.RegularExpressions;
using Digest.App.Web.Access;
using Digest.IntegrationTests.Infrastructure;

namespace Digest.IntegrationTests.Web;

/// <summary>Posting Digest's forms the way a browser does: fetch the page, keep its antiforgery field, post.</summary>
internal static partial class WebForms
{
    public const string EditorPassword = "correct horse battery staple";
    public const string AdminPassword = "admin password with length";

    /// <summary>Settings with an editor "erin" and an admin "ada", their passwords hashed as the CLI does.</summary>
    public static Dictionary<string, string?> Users() => new()
    {
        ["Users:erin:PasswordHash"] = PasswordHashes.Hash(EditorPassword),
        ["Users:erin:Roles:0"] = "editor",
        ["Users:erin:Email"] = "erin@newsroom.example.org",
        ["Users:ada:PasswordHash"] = PasswordHashes.Hash(AdminPassword),
        ["Users:ada:Roles:0"] = "admin",
    };

    public static HttpClient Client(DigestTestHost host) =>
        host.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Posts a form found on <paramref name="page"/>, with its antiforgery field and the given fields.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, string action,
        IEnumerable<KeyValuePair<string, string>> fields)
    {
        string html = await client.GetStringAsync(page);
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, $"{page} has no antiforgery field");
        var all = fields.Append(new(token.Groups["name"].Value, WebUtility.HtmlDecode(token.Groups["value"].Value)));
        return await client.PostAsync(action, new FormUrlEncodedContent(all));
    }

    /// <summary>Uploads a fixture file through a multipart form found on <paramref name="page"/>.</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string page, string action, string field, string fixture)
    {
        string html = await client.GetStringAsync(page);
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, $"{page} has no antiforgery field");
        using var content = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token.Groups["value"].Value)), token.Groups["name"].Value },
            { new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture))), field, Path.GetFileName(fixture) },
        };
        return await client.PostAsync(action, content);
    }

    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password) =>
        PostFormAsync(client, "/signin", "/signin", [new("userName", user), new("password", password), new("returnUrl", "/")]);

    [GeneratedRegex("""<input[^>]*name="(?<name>__RequestVerificationToken)"[^>]*value="(?<value>[^"]+)"[^>]*>""")]
    private static partial Regex AntiforgeryField();
}

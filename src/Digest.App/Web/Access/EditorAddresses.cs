using Digest.Editions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.App.Web.Access;

/// <summary>The users who may approve a run (editors and admins) and gave an email address (Users:NAME:Email).</summary>
internal sealed class EditorAddresses(IOptionsMonitor<UsersOptions> users) : IEditorAddresses
{
    public IReadOnlyList<MailboxAddress> Editors() => users.CurrentValue
        .Where(user => !string.IsNullOrWhiteSpace(user.Value.Email) && user.Value.Roles.Any(role => AccessPolicies.Roles.Contains(role)))
        .OrderBy(user => user.Key, StringComparer.OrdinalIgnoreCase)
        .Select(user => new MailboxAddress(user.Key, user.Value.Email!.Trim()))
        .ToList();
}

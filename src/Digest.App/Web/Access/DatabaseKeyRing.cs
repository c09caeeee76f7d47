using System.Data.Common;
using System.Xml.Linq;
using Dapper;
using Digest.Storage;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Digest.App.Web.Access;

/// <summary>
/// The data-protection key ring as rows of the <c>data_protection_keys</c> table. The keys are as safe as the
/// database that holds everything else; anyone who can read it can also read the subscribers.
/// </summary>
internal sealed class DatabaseKeyRing(Database database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = Open();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY id").Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = Open();
        connection.Execute("INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@friendlyName, @xml, @now)",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = Clock.Format(DateTimeOffset.UtcNow) });
    }

    // IXmlRepository is synchronous; it is called when the key ring is loaded or a key added, a few times a day.
    private DbConnection Open() => database.OpenAsync().GetAwaiter().GetResult();
}

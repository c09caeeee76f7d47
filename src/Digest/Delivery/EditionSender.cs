using System.Diagnostics.CodeAnalysis;
using Digest.Editions;
using MimeKit;

namespace Digest.Delivery;

/// <summary>
/// Who an edition's digests come from: its own sender (Editions:NAME:FromAddress) when it names one, else the
/// delivery default. The From domain is also the domain of the edition's Message-IDs and List-Id and the one whose
/// DKIM key signs it, so all three align.
/// </summary>
public static class EditionSender
{
    public static MailboxAddress From(EditionOptions? edition, DeliveryOptions delivery) =>
        TryFrom(edition, delivery, out var from) ? from : throw new FormatException($"'{Address(edition, delivery)}' is not an email address");

    /// <summary>The edition's sender; false when its address is none (the settings' validators say so at start).</summary>
    public static bool TryFrom(EditionOptions? edition, DeliveryOptions delivery, [NotNullWhen(true)] out MailboxAddress? from)
    {
        from = MailboxAddress.TryParse(Address(edition, delivery), out var parsed) && parsed.Address.Contains('@')
            ? new MailboxAddress(string.IsNullOrWhiteSpace(edition?.FromName) ? delivery.FromName : edition.FromName, parsed.Address)
            : null;
        return from is not null;
    }

    private static string Address(EditionOptions? edition, DeliveryOptions delivery) =>
        string.IsNullOrWhiteSpace(edition?.FromAddress) ? delivery.FromAddress : edition.FromAddress.Trim();

    /// <summary>The edition's From domain.</summary>
    public static string Domain(EditionOptions? edition, DeliveryOptions delivery) => From(edition, delivery).Domain;
}

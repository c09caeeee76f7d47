namespace Digest.Rendering;

/// <summary>The reader's own parts of a digest, each rendered per copy from its partial template.</summary>
public enum RecipientPart { Greeting, Footer }

/// <summary>
/// The places in the body templates where the reader's own parts go. Writing a slot (<c>@Model.Recipient.Greeting</c>)
/// writes a marker that no text can hold by chance (a random word, chosen anew each time the service starts); the body
/// is split there, and each copy gets its reader's partials in those places.
/// </summary>
public sealed class RecipientSlots
{
    internal static readonly RecipientSlots Instance = new(Guid.NewGuid().ToString("N")[..16]);

    private RecipientSlots(string nonce)
    {
        // Letters and digits only: neither HTML encoding nor the text part's layout changes them.
        Prefix = $"Dg{nonce}";
        Greeting = new RecipientSlot(RecipientPart.Greeting, Prefix + "Greeting");
        Footer = new RecipientSlot(RecipientPart.Footer, Prefix + "Footer");
    }

    /// <summary>The start every marker shares: found without the rest, a template changed a slot.</summary>
    internal string Prefix { get; }

    /// <summary>The greeting (<c>_greeting.html.cshtml</c>, <c>_greeting.text.cshtml</c>).</summary>
    public RecipientSlot Greeting { get; }

    /// <summary>The footer (<c>_footer.html.cshtml</c>, <c>_footer.text.cshtml</c>).</summary>
    public RecipientSlot Footer { get; }

    internal IReadOnlyList<RecipientSlot> All => [Greeting, Footer];
}

/// <summary>One slot: it renders as its marker, alone on a line of the body template.</summary>
public sealed class RecipientSlot
{
    internal RecipientSlot(RecipientPart part, string marker)
    {
        Part = part;
        Marker = marker;
    }

    internal RecipientPart Part { get; }
    internal string Marker { get; }

    /// <summary>A slot's name as a template writes it.</summary>
    internal string Expression => $"@Model.Recipient.{Part}";

    public override string ToString() => Marker;
}

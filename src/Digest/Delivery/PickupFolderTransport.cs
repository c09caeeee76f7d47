using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Digest.Delivery;

/// <summary>
/// Writes each message as an .eml file named after its Message-ID, so a resend of the same message replaces the
/// file instead of adding a second one. Written to a temporary name first: a reader never sees half a message.
/// </summary>
public sealed class PickupFolderTransport : IMailTransport
{
    public PickupFolderTransport(IOptions<DeliveryOptions> options, IHostEnvironment environment)
    {
        Folder = Path.GetFullPath(options.Value.PickupDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>CRLF, as on the wire: a relay that picks the file up passes it on unchanged, DKIM signature intact.</summary>
    private static readonly FormatOptions WireFormat = new() { NewLineFormat = NewLineFormat.Dos };

    public int Concurrency => Environment.ProcessorCount;

    public async Task<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        string name = string.Concat((message.MessageId ?? Guid.NewGuid().ToString("N")).Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        string path = Path.Combine(Folder, name + ".eml");
        string temporary = path + ".tmp";
        await message.WriteToAsync(WireFormat, temporary, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return $"written to {path}";
    }
}

using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Digest.Storage;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>What a valid link token grants: one action, for one subscriber and edition, until it expires.</summary>
public sealed record SubscriberClaim(string Purpose, long SubscriberId, string Edition, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs and checks the tokens carried by subscriber links. A token is <c>payload.signature</c>, both base64url;
/// the signature is HMAC-SHA256 over the payload, so any change to subscriber, edition, purpose or expiry is
/// detected.
/// </summary>
public sealed class SubscriberTokens
{
    public const string Unsubscribe = "unsubscribe";

    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly SecurityOptions _options;

    public SubscriberTokens(IOptions<SecurityOptions> options, Database database, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _key = Encoding.UTF8.GetBytes(string.IsNullOrWhiteSpace(_options.TokenSecret)
            ? LocalSecret(database.DataDirectory)
            : _options.TokenSecret);
    }

    public string CreateUnsubscribe(long subscriberId, string edition) =>
        Create(Unsubscribe, subscriberId, edition, _options.UnsubscribeLinkLifetime);

    public string Create(string purpose, long subscriberId, string edition, TimeSpan lifetime)
    {
        // Expiry is rounded up to the next UTC midnight so every link made on one day is the same: a resent or
        // previewed digest is byte for byte the one that was sent.
        var until = _time.GetUtcNow() + lifetime;
        long expires = new DateTimeOffset(until.UtcDateTime.Date.AddDays(1), TimeSpan.Zero).ToUnixTimeSeconds();
        string payload = string.Join('|', purpose, subscriberId.ToString(CultureInfo.InvariantCulture), edition,
            expires.ToString(CultureInfo.InvariantCulture));
        byte[] payloadBytes = Encoding.UTF8.GetBytes(payload);
        return $"{Base64Url.EncodeToString(payloadBytes)}.{Base64Url.EncodeToString(Sign(payloadBytes))}";
    }

    /// <summary>Checks a token; on failure says why in words fit for the person who clicked the link.</summary>
    public SubscriberClaim? Read(string token, string purpose, out string? problem)
    {
        problem = "this link is not valid: it may have been cut short or altered";
        var parts = token.Split('.');
        if (parts.Length != 2 || !TryDecode(parts[0], out var payload) || !TryDecode(parts[1], out var signature))
            return null;
        if (!CryptographicOperations.FixedTimeEquals(Sign(payload), signature))
            return null;

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        if (fields.Length != 4 || fields[0] != purpose
            || !long.TryParse(fields[1], CultureInfo.InvariantCulture, out long subscriberId)
            || !long.TryParse(fields[3], CultureInfo.InvariantCulture, out long expires))
            return null;

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        if (expiresAt < _time.GetUtcNow())
        {
            problem = $"this link expired on {expiresAt:d MMMM yyyy}";
            return null;
        }
        problem = null;
        return new SubscriberClaim(purpose, subscriberId, fields[2], expiresAt);
    }

    private byte[] Sign(byte[] payload) => HMACSHA256.HashData(_key, payload);

    /// <summary>
    /// A short signature over <paramref name="text"/> (64 bits, lowercase base32, 13 characters), for tokens that
    /// must stay short and survive case folding, such as a return path's local part (at most 64 octets).
    /// </summary>
    public string ShortSignature(string text)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text), full);
        return LowerBase32(full[..ShortSignatureBytes]);
    }

    /// <summary>Whether <paramref name="signature"/> is <see cref="ShortSignature"/> of <paramref name="text"/>, compared in fixed time.</summary>
    public bool HasShortSignature(string text, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ShortSignature(text)), Encoding.ASCII.GetBytes(signature.ToLowerInvariant()));

    private const int ShortSignatureBytes = 8;

    private static string LowerBase32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (byte b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || !Base64Url.IsValid(text))
            return false;
        bytes = Base64Url.DecodeFromChars(text);
        return true;
    }

    /// <summary>A per-installation secret kept in the data folder, so links survive restarts.</summary>
    private static string LocalSecret(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, "token-secret.key");
        if (!File.Exists(path))
        {
            string fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            string temporary = path + ".tmp";
            // Whoever reads it can sign links for any subscriber: only the service's own user may.
            var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var writer = new StreamWriter(temporary, create))
                writer.Write(fresh);
            try { File.Move(temporary, path, overwrite: false); }
            catch (IOException) { File.Delete(temporary); } // another process created it first: use theirs
        }
        return File.ReadAllText(path).Trim();
    }
}

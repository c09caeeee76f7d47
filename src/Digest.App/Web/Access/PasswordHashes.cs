using Microsoft.AspNetCore.Identity;

namespace Digest.App.Web.Access;

/// <summary>
/// Passwords as ASP.NET Core Identity stores them (PBKDF2 with HMAC-SHA512, a random salt and 100,000 iterations,
/// version-tagged so stronger settings can come later without breaking stored hashes).
/// </summary>
internal static class PasswordHashes
{
    private static readonly PasswordHasher<string> Hasher = new();

    /// <summary>Compared against when the user name is unknown, so a wrong name takes as long as a wrong password.</summary>
    private static readonly string Decoy = Hasher.HashPassword("", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));

    public static string Hash(string password) => Hasher.HashPassword("", password);

    public static bool Verify(string? hash, string password) =>
        Hasher.VerifyHashedPassword("", hash ?? Decoy, password) != PasswordVerificationResult.Failed && hash is not null;

    /// <summary>Whether the text is a hash this class made (version 3 format), not a password pasted by mistake.</summary>
    public static bool LooksLikeHash(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length < 60)
            return false;
        Span<byte> bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out int written) && written > 13 && bytes[0] == 0x01;
    }
}

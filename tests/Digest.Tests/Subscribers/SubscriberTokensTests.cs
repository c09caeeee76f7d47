using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Subscribers;

public sealed class SubscriberTokensTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private SubscriberTokens Tokens(string secret = "a-test-secret-that-is-long-enough-0123456789", string? dataDirectory = null) =>
        new(Options.Create(new SecurityOptions { TokenSecret = secret, UnsubscribeLinkLifetime = TimeSpan.FromDays(30) }),
            new Database(Options.Create(new StorageOptions { DataDirectory = dataDirectory ?? Path.GetTempPath() }),
                new HostingEnvironment { ContentRootPath = Path.GetTempPath() }, NullLogger<Database>.Instance),
            _time);

    [Fact]
    public void Read_OwnToken_GivesSubscriberAndEdition()
    {
        var tokens = Tokens();

        var claim = tokens.Read(tokens.CreateUnsubscribe(42, "daily"), SubscriberTokens.Unsubscribe, out string? problem);

        Assert.Null(problem);
        Assert.Equal((42L, "daily"), (claim!.SubscriberId, claim.Edition));
    }

    [Fact]
    public void Create_SameDay_GivesTheSameLink()
    {
        var tokens = Tokens();
        string morning = tokens.CreateUnsubscribe(42, "daily");
        _time.Advance(TimeSpan.FromHours(5));

        Assert.Equal(morning, tokens.CreateUnsubscribe(42, "daily"));
    }

    [Fact]
    public void Read_AlteredPayload_IsRefused()
    {
        var tokens = Tokens();
        string token = tokens.CreateUnsubscribe(42, "daily");
        string forged = System.Buffers.Text.Base64Url.EncodeToString("unsubscribe|43|daily|9999999999"u8) + token[token.IndexOf('.')..];

        Assert.Null(tokens.Read(forged, SubscriberTokens.Unsubscribe, out string? problem));
        Assert.Contains("not valid", problem);
    }

    [Fact]
    public void Read_TokenSignedWithAnotherSecret_IsRefused()
    {
        string foreign = Tokens("another-secret-entirely-another-secret-0000").CreateUnsubscribe(42, "daily");

        Assert.Null(Tokens().Read(foreign, SubscriberTokens.Unsubscribe, out _));
    }

    [Fact]
    public void Read_ExpiredToken_SaysWhenItExpired()
    {
        var tokens = Tokens();
        string token = tokens.CreateUnsubscribe(42, "daily");
        _time.Advance(TimeSpan.FromDays(31));

        Assert.Null(tokens.Read(token, SubscriberTokens.Unsubscribe, out string? problem));
        Assert.Contains("expired on 25 December 2026", problem);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WithoutSecret_CreatesOneInTheDataFolder_ReadableByItsOwnerOnly_AndKeepsIt()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"digest-secret-{Guid.NewGuid():N}");
        try
        {
            var first = Tokens(secret: "", dataDirectory: folder);
            string path = Path.Combine(folder, "token-secret.key");

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var again = Tokens(secret: "", dataDirectory: folder);
            Assert.NotNull(again.Read(first.CreateUnsubscribe(42, "daily"), SubscriberTokens.Unsubscribe, out _));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

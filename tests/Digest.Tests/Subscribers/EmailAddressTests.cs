using Digest.Subscribers;

namespace Digest.Tests.Subscribers;

public sealed class EmailAddressTests
{
    [Fact]
    public void Normalise_TrimsAndLowercases() => Assert.Equal("ana@example.com", EmailAddress.Normalise("  Ana@Example.COM ", out _));

    [Theory]
    [InlineData("ana@example.com\r\nBcc: x@example.com", "line break")]
    [InlineData("not-an-address", "is not an email address")]
    [InlineData("", "empty")]
    public void Normalise_RejectsWithAReason(string input, string reason)
    {
        Assert.Null(EmailAddress.Normalise(input, out string? problem));
        Assert.Contains(reason, problem);
    }
}

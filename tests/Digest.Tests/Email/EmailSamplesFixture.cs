namespace Digest.Tests.Email;

/// <summary>One <see cref="EmailSamples"/> per test class: the templates compile once, not once per test.</summary>
public sealed class EmailSamplesFixture : IDisposable
{
    internal EmailSamples Samples { get; } = new();

    public void Dispose() => Samples.Dispose();
}

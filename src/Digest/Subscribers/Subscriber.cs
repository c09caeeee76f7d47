namespace Digest.Subscribers;

public static class SubscriberStatus
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Unsubscribed = "unsubscribed";
    /// <summary>Chose to receive nothing for a while; their editions are kept for when they resume.</summary>
    public const string Paused = "paused";
    /// <summary>A mailbox that does not exist (a 5.1.x reply): never mailed again.</summary>
    public const string Suppressed = "suppressed";
}

public sealed record Subscriber(long Id, string Email, string Name, string Status);

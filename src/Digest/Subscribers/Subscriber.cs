namespace Digest.Subscribers;

public static class SubscriberStatus
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Unsubscribed = "unsubscribed";
    /// <summary>A mailbox that does not exist (a 5.1.x reply): never mailed again.</summary>
    public const string Suppressed = "suppressed";
}

public sealed record Subscriber(long Id, string Email, string Name, string Status);

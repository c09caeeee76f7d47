namespace Digest.Delivery;

/// <summary>
/// How many processes are sending at once. Configured rate limits are for the whole installation, so each process
/// paces at its share: with four workers on PostgreSQL, each sends at a quarter of <c>TotalMessagesPerSecond</c>
/// and of each server's <c>MaxMessagesPerSecond</c> (a per-process limit multiplied by the workers is how senders
/// get blocked by the relays they use). One process, as with SQLite, sends at the full rate.
/// </summary>
public sealed class SenderShare
{
    private int _senders = 1;

    public int Senders
    {
        get => Volatile.Read(ref _senders);
        set => Volatile.Write(ref _senders, Math.Max(1, value));
    }
}

using Dapper;
using Digest.Delivery;
using Digest.Storage;
using Digest.Subscribers;
using Digest.Tests.Articles;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Delivery;

/// <summary>
/// A claim that waits long in one sender's queue is renewed before it is sent, so no other sender takes it as cut off
/// by a crash; one that another sender took meanwhile is that sender's alone.
/// </summary>
public sealed class DeliveryClaimTests
{
    private static readonly SubscriberRange Everyone = new(1, long.MaxValue);
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task RenewedClaim_IsNotTakenByAnotherSender_AfterTheTimeoutFromTheFirstClaim()
    {
        await using var engine = await TestEngine.StartAsync(new Dictionary<string, string?> { ["Delivery:ClaimTimeout"] = "00:05:00" });
        long runId = await RunWithOneReaderAsync(engine);
        var ledger = engine.Services.GetRequiredService<DeliveryLedger>();

        var first = Assert.Single(await ledger.ClaimAsync(runId, Everyone, 64, engine.Time.GetUtcNow(), CancellationToken.None));
        engine.Time.Advance(ClaimTimeout * 0.75);
        bool renewed = await ledger.RenewClaimAsync(runId, first, CancellationToken.None);
        engine.Time.Advance(ClaimTimeout * 0.5); // past the timeout counted from the first claim, not from the renewal
        var second = await ledger.ClaimAsync(runId, Everyone, 64, engine.Time.GetUtcNow(), CancellationToken.None);

        Assert.True(renewed);
        Assert.Empty(second);
    }

    [Fact]
    public async Task ClaimTakenOverAfterTheTimeout_CannotBeRenewedByItsFirstSender()
    {
        await using var engine = await TestEngine.StartAsync(new Dictionary<string, string?> { ["Delivery:ClaimTimeout"] = "00:05:00" });
        long runId = await RunWithOneReaderAsync(engine);
        var ledger = engine.Services.GetRequiredService<DeliveryLedger>();

        var first = Assert.Single(await ledger.ClaimAsync(runId, Everyone, 64, engine.Time.GetUtcNow(), CancellationToken.None));
        engine.Time.Advance(ClaimTimeout + TimeSpan.FromSeconds(1));
        var second = Assert.Single(await ledger.ClaimAsync(runId, Everyone, 64, engine.Time.GetUtcNow(), CancellationToken.None));
        bool renewed = await ledger.RenewClaimAsync(runId, first, CancellationToken.None);

        Assert.Equal(first.SubscriberId, second.SubscriberId);
        Assert.NotEqual(first.Claim, second.Claim);
        Assert.False(renewed);
        Assert.True(await ledger.RenewClaimAsync(runId, second, CancellationToken.None));
    }

    /// <summary>A sending run with one owed entry.</summary>
    internal static async Task<long> RunWithOneReaderAsync(TestEngine engine)
    {
        var ana = await engine.Services.GetRequiredService<SubscriberStore>().AddConfirmedAsync("ana@example.com", "Ana", ["daily"]);
        await using var connection = await engine.Database.OpenAsync();
        string now = Clock.Format(engine.Time.GetUtcNow());
        long runId = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO runs (edition, slot, status, created_at) VALUES ('daily', @now, 'sending', @now) RETURNING id", new { now });
        await connection.ExecuteAsync("""
            INSERT INTO deliveries (run_id, subscriber_id, status, message_id, updated_at)
            VALUES (@runId, @id, 'pending', 'digest.1.1@example.org', @now)
            """, new { runId, id = ana.Id, now });
        return runId;
    }
}

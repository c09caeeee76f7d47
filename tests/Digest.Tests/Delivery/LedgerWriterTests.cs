using Dapper;
using Digest.Delivery;
using Digest.Tests.Articles;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.Tests.Delivery;

/// <summary>
/// The group commit a process's senders share: an outcome that no sender is waiting for (the last of a pass whose
/// sender went on to other work, or one beside a slow relay) still reaches the ledger, once its gathering time is up.
/// </summary>
public sealed class LedgerWriterTests
{
    [Fact]
    public async Task OutcomeNobodyWaitsFor_IsCommittedOnceTheGatheringTimeIsUp()
    {
        await using var engine = await TestEngine.StartAsync();
        long runId = await DeliveryClaimTests.RunWithOneReaderAsync(engine);
        var ledger = engine.Services.GetRequiredService<DeliveryLedger>();
        var claim = Assert.Single(await ledger.ClaimAsync(runId, SubscriberRange.All, 64, engine.Time.GetUtcNow(), CancellationToken.None));
        // Room for four in a group, so one outcome alone fills none: only the gathering time can start its commit.
        await using var writer = new LedgerWriter(ledger, engine.Services.GetRequiredService<DigestMetrics>(), connections: 4);

        var recorded = writer.RecordAsync(runId, new DeliveryOutcome(claim.SubscriberId, DeliveryStatus.Sent, "250 2.0.0 Ok"));
        // Generous beside the 2 ms it takes: a loaded machine may be slow, a writer that never commits never is.
        await recorded.WaitAsync(TimeSpan.FromSeconds(30));

        await using var connection = await engine.Database.OpenAsync();
        Assert.Equal(DeliveryStatus.Sent, await connection.ExecuteScalarAsync<string>(
            "SELECT status FROM deliveries WHERE run_id = @runId AND subscriber_id = @id", new { runId, id = claim.SubscriberId }));
    }
}

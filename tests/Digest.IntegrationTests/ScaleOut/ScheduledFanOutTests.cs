using Digest.IntegrationTests.Infrastructure;
using Hangfire.States;
using static Digest.IntegrationTests.Delivery.DeliveryScenario;

namespace Digest.IntegrationTests.ScaleOut;

/// <summary>
/// A scheduled run on PostgreSQL, as the README's scale-out section sets it up: the edition's job cuts the run into
/// batch jobs and every job succeeds. The minutely resume job would deliver every message even if the fan-out
/// failed, so the job storage and the log are checked, not only the mailbox.
/// </summary>
public sealed class ScheduledFanOutTests
{
    private const int Audience = 400;
    private const int BatchSize = 50;

    [Fact]
    public async Task ScheduledRun_OnPostgres_FansOutIntoBatchJobs_AndNoJobFails()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        await using var sink = await SmtpSink.StartAsync();
        using var work = new TempFolder("digest-fanout");
        string connectionString = await postgres.CreateDatabaseAsync();
        await new ServiceSettings(sink.Port) { PostgresConnectionString = connectionString, Cron = "* * * * *", BatchSize = BatchSize }
            .WriteAsync(work.Path);
        using var engine = await DigestEngine.StartAsync(work.Path);
        await SeedAsync(engine.Services, Audience);

        // The service's scheduler catches up the edition's latest minute at start.
        await using var service = RunningDigest.Start(work.Path);
        long run = await ScaleOutScenario.WaitForSentRunAsync(engine.Services, [service]);
        await WaitForCompletionAsync(engine.Services, run, TimeSpan.FromMinutes(3));
        var jobs = await JobRecords.SettledAsync(connectionString, TimeSpan.FromMinutes(1));

        JobRecords.AssertNoneFailed(jobs, connectionString);
        service.AssertNoErrorsLogged();
        // The slot fired (a test that crosses a minute boundary also sees the next slot fire, with nothing new to send).
        var fired = jobs.Where(j => j.Method == "FireAsync").ToList();
        Assert.NotEmpty(fired);
        Assert.All(fired, f => Assert.Equal(SucceededState.StateName, f.State));
        var batches = jobs.Where(j => j.Method == "SendBatchAsync").ToList();
        Assert.True(batches.Count >= 2, $"the run was not cut into batch jobs: {string.Join("; ", jobs)}");
        Assert.All(batches, b => Assert.Equal(SucceededState.StateName, b.State));
        AssertExactlyOnce(await LedgerAsync(engine.Services, run), await sink.WaitForAsync(Audience, TimeSpan.FromSeconds(10)));
    }
}

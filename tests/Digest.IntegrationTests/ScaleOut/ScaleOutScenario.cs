using Dapper;
using Digest.Editions;
using Digest.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Digest.IntegrationTests.ScaleOut;

/// <summary>What the scale-out tests share: finding the run the service processes started on their own schedule.</summary>
internal static class ScaleOutScenario
{
    /// <summary>Runs that sent something (an edition with nothing new makes an empty run).</summary>
    public static async Task<IReadOnlyList<long>> SentRunsAsync(IServiceProvider services)
    {
        await using var connection = await services.GetRequiredService<Database>().OpenAsync();
        return (await connection.QueryAsync<long>("SELECT id FROM runs WHERE status <> @empty", new { empty = RunStatus.Empty })).ToList();
    }

    /// <summary>Waits for the services' schedulers to start the one run that sends, and returns it.</summary>
    public static async Task<long> WaitForSentRunAsync(IServiceProvider services, IReadOnlyList<Infrastructure.RunningDigest> processes)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        IReadOnlyList<long> runs;
        while ((runs = await SentRunsAsync(services)).Count == 0)
        {
            var exited = processes.FirstOrDefault(p => p.HasExited);
            if (exited is not null || DateTime.UtcNow > deadline)
                Assert.Fail($"no run was started; a service said:{Environment.NewLine}{(exited ?? processes[0]).Log}");
            await Task.Delay(100);
        }
        return Assert.Single(runs);
    }
}

using Digest.Storage;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.App.Jobs;

public enum ProcessRole { All, Web, Worker }

/// <summary>The "Process" section: what this process does, so operators can run one web front and many workers.</summary>
public sealed class ProcessOptions
{
    public const string SectionName = "Process";

    /// <summary>All (default): web pages and background work. Web: pages, API and dashboard only. Worker: jobs and the inbox only.</summary>
    public ProcessRole Role { get; set; } = ProcessRole.All;

    /// <summary>Hangfire workers in this process (sending batches run in parallel up to this many).</summary>
    public int WorkerCount { get; set; } = Math.Max(4, Environment.ProcessorCount * 2);

    public bool RunsJobs => Role is ProcessRole.All or ProcessRole.Worker;
    public bool ServesWeb => Role is ProcessRole.All or ProcessRole.Web;
}

internal sealed class ProcessOptionsValidator(IOptions<StorageOptions> storage, IOptions<SecurityOptions> security) : IValidateOptions<ProcessOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessOptions options)
    {
        var failures = new List<string>();
        if (options.Role != ProcessRole.All && storage.Value.Provider == StorageProvider.Sqlite)
            failures.Add($"Process:Role: '{options.Role}' needs Storage:Provider Postgres; with SQLite the job queue lives in one process, so run a single process with Role All");
        // A secret made up in one process's data folder would sign links no other process accepts.
        if (options.Role != ProcessRole.All && string.IsNullOrWhiteSpace(security.Value.TokenSecret))
            failures.Add($"Security:TokenSecret: required with Process:Role {options.Role}: workers sign the links in every email and the web " +
                $"front checks them, so every process needs the same secret; {SecurityOptionsValidator.HowToGenerate} and give it to each " +
                "process, e.g. as the environment variable Security__TokenSecret");
        if (options.WorkerCount is < 1 or > 256)
            failures.Add($"Process:WorkerCount: {options.WorkerCount} must be between 1 and 256");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

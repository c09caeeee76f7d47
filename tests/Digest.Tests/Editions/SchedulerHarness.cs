using System.Collections.Concurrent;
using Digest.Editions;
using Digest.Storage;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Editions;

/// <summary>
/// The real engine and <see cref="EditionScheduler"/> on a scratch SQLite store and a fake clock. Queued runs are
/// recorded instead of executed: what is under test is which slots are queued, and when.
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _folder;

    private SchedulerHarness(IHost host, string folder, FakeTimeProvider time, QueuedRuns queued, LogRecorder logs)
    {
        _host = host;
        _folder = folder;
        Time = time;
        Queued = queued;
        Logs = logs;
    }

    public FakeTimeProvider Time { get; }
    public QueuedRuns Queued { get; }
    public LogRecorder Logs { get; }
    public EditionScheduler Scheduler => _host.Services.GetRequiredService<EditionScheduler>();
    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();
    public EditionRunner Runner => Get<EditionRunner>();
    public string OutboxPath => Path.Combine(_folder, "data", "outbox");
    private IConfigurationRoot Configuration => (IConfigurationRoot)_host.Services.GetRequiredService<IConfiguration>();

    /// <summary>Builds the engine with these edition settings; the scheduler starts only on <see cref="StartSchedulerAsync"/>.</summary>
    public static async Task<SchedulerHarness> CreateAsync(DateTimeOffset now, IDictionary<string, string?> settings)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"digest-scheduler-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = Path.Combine(folder, "data"),
            ["Rendering:TemplatesPath"] = Path.Combine(AppContext.BaseDirectory, "templates"),
            ["Delivery:PickupDirectory"] = Path.Combine(folder, "data", "outbox"),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        var time = new FakeTimeProvider(now);
        var queued = new QueuedRuns();
        var logs = new LogRecorder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IBackgroundJobClient>(queued);
        builder.Services.AddSingleton<EditionScheduler>();
        builder.Logging.AddProvider(logs);
        builder.AddDigestEngine();
        var host = builder.Build();
        await host.Services.PrepareDigestAsync();
        return new SchedulerHarness(host, folder, time, queued, logs);
    }

    public async Task StartSchedulerAsync()
    {
        await Scheduler.StartAsync(CancellationToken.None);
        await SettledAsync();
    }

    /// <summary>Moves the clock forward in steps, letting the scheduler act after each, until <paramref name="end"/>.</summary>
    public async Task RunUntilAsync(DateTimeOffset end, TimeSpan step)
    {
        while (Time.GetUtcNow() < end)
        {
            var left = end - Time.GetUtcNow();
            Time.Advance(left < step ? left : step);
            await SettledAsync();
        }
    }

    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await SettledAsync();
    }

    /// <summary>Edits the settings as an operator editing appsettings.json would, and waits for the scheduler to follow.</summary>
    public async Task EditAsync(string key, string value, Func<PlannedEdition, bool> followed)
    {
        Configuration[key] = value;
        Configuration.Reload();
        await Eventually.TrueAsync(() => Scheduler.Planned.Any(followed), $"the scheduler did not follow the edit {key} = {value}");
    }

    /// <summary>
    /// Makes an edit the scheduler must refuse: waits until it logs <paramref name="refusal"/>, and checks that the
    /// schedule it plans is still the one before the edit.
    /// </summary>
    public async Task RefusedEditAsync(string key, string value, string refusal)
    {
        var before = Scheduler.Planned.Select(p => p.Description).ToList();
        Configuration[key] = value;
        Configuration.Reload();
        await Eventually.TrueAsync(() => Logs.Lines.Any(line => line.Contains(refusal, StringComparison.Ordinal)), $"the edit {key} = {value} was not refused with \"{refusal}\"");
        Assert.Contains(Logs.Lines, line => line.StartsWith("Error: The edited Editions settings were refused", StringComparison.Ordinal));
        Assert.Equal(before, Scheduler.Planned.Select(p => p.Description).ToList());
    }

    /// <summary>The scheduler has looked at the clock and waits for a slot after it.</summary>
    private Task SettledAsync() => Eventually.TrueAsync(
        () => Scheduler.Planned is { Count: > 0 } planned && planned.All(p => p.NextSlot is null || p.NextSlot > Time.GetUtcNow()),
        $"the scheduler did not settle at {Time.GetUtcNow():u}");

    public async ValueTask DisposeAsync()
    {
        await Scheduler.StopAsync(CancellationToken.None);
        _host.Dispose();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>
/// Hangfire's client seam: records each queued edition run (edition, slot) and each send pass scheduled for later,
/// instead of storing jobs.
/// </summary>
internal sealed class QueuedRuns : IBackgroundJobClient
{
    private readonly ConcurrentQueue<(string Edition, DateTimeOffset Slot)> _runs = new();
    private readonly ConcurrentQueue<DateTimeOffset> _sendPasses = new();

    public IReadOnlyList<DateTimeOffset> Slots(string edition) => _runs.Where(r => r.Edition == edition).Select(r => r.Slot).ToList();

    public IReadOnlyList<DateTimeOffset> SendPasses => _sendPasses.ToList();

    public int BatchesQueued { get; private set; }

    public string Create(Job job, IState state)
    {
        // A run's batch jobs, queued when it starts, would send only copies already due; the tests run the send
        // passes themselves when each copy falls due.
        if (job.Method.Name == nameof(EditionJobs.SendBatchAsync))
            BatchesQueued++;
        else if (job.Method.Name == nameof(EditionJobs.ResumeUnfinishedAsync))
            _sendPasses.Enqueue(new DateTimeOffset(DateTime.SpecifyKind(Assert.IsType<ScheduledState>(state).EnqueueAt, DateTimeKind.Utc)));
        else
        {
            Assert.Equal(nameof(EditionJobs.FireAsync), job.Method.Name);
            _runs.Enqueue(((string)job.Args[0], (DateTimeOffset)job.Args[1]));
        }
        return Guid.NewGuid().ToString("N");
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}

internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToList();

    public ILogger CreateLogger(string categoryName) => new Recorder(_lines);

    public void Dispose() { }

    private sealed class Recorder(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}

internal static class Eventually
{
    /// <summary>Waits for a condition the code under test reaches on another thread; the limit only guards against a hang.</summary>
    public static async Task TrueAsync(Func<bool> condition, string failure)
    {
        var giveUp = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > giveUp)
                Assert.Fail(failure);
            await Task.Delay(5);
        }
    }
}

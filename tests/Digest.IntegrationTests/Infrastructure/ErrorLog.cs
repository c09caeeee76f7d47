using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>Every error (or worse) an in-process host logs, so a test can assert the path itself worked, not only its end state.</summary>
public sealed class ErrorLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyList<string> Errors => _errors.ToList();

    public void AssertNone() =>
        Assert.True(_errors.IsEmpty, $"the host logged errors:{Environment.NewLine}{string.Join(Environment.NewLine, _errors)}");

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _errors);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                errors.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}

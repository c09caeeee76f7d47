using System.Text.Json;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// The operator's appsettings.json for a service process started by a test or benchmark: sending over SMTP to a
/// loopback port, on SQLite in the working folder unless a PostgreSQL connection string is given.
/// </summary>
public sealed record ServiceSettings(int SmtpPort)
{
    public int Connections { get; init; } = 2;
    /// <summary>Smtp:TotalMessagesPerSecond; 0 = no limit.</summary>
    public double MessagesPerSecond { get; init; }
    public string? PostgresConnectionString { get; init; }
    /// <summary>By default a slot that never comes: runs are started by the test.</summary>
    public string Cron { get; init; } = "0 7 1 1 *";
    public int BatchSize { get; init; } = 100;
    /// <summary>A claim cut off by a kill is taken again after this long; it must outlast a send (Smtp:Timeout).</summary>
    public string ClaimTimeout { get; init; } = "00:00:11";
    /// <summary>
    /// Smtp:Timeout: how long a silent server is waited for. A loaded test machine can keep a busy server's answer
    /// waiting for seconds, and a send timed out after the server took the message goes out twice.
    /// </summary>
    public string SmtpTimeout { get; init; } = "00:00:10";
    /// <summary>Security:TokenSecret, the same in every process of a deployment (required for the Web and Worker roles).</summary>
    public string TokenSecret { get; init; } = TestTokenSecret;

    /// <summary>The edition's time zone, in which <see cref="Cron"/> is read.</summary>
    public const string TimeZone = "Europe/Berlin";

    public const string TestTokenSecret = "test-only-token-secret-shared-by-every-process";

    public Task WriteAsync(string folder)
    {
        var settings = new
        {
            Logging = new { LogLevel = new Dictionary<string, string> { ["Default"] = "Warning", ["Digest"] = "Information" } },
            Storage = PostgresConnectionString is null
                ? (object)new { DataDirectory = "data" }
                : new { Provider = "Postgres", ConnectionString = PostgresConnectionString, DataDirectory = "data" },
            Security = new { TokenSecret },
            Rendering = new { TemplatesPath = DigestTestHost.TemplatesPath },
            Site = new { PublicUrl = "https://digest.example.org" },
            Editions = new { daily = new { Title = "The Daily Digest", Cron, TimeZone } },
            Delivery = new
            {
                Transport = "Smtp",
                FromAddress = "digest@news.example.org",
                BatchSize,
                ClaimTimeout,
                RetryBackoff = "00:00:01",
                Smtp = new
                {
                    Host = "127.0.0.1", Port = SmtpPort, Security = "None", Connections,
                    Timeout = SmtpTimeout,
                    TotalMessagesPerSecond = MessagesPerSecond,
                },
            },
        };
        return File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), JsonSerializer.Serialize(settings));
    }
}

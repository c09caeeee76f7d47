using System.Diagnostics;
using Npgsql;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's <c>postgresql</c>, installed by the test command): <c>initdb</c> into a
/// temp folder as the <c>postgres</c> user, <c>pg_ctl</c> on a free loopback port, removed afterwards.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _bin;

    private PostgresCluster(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's main process (the postmaster), whose children are its backends.</summary>
    public int ServerProcessId => int.Parse(File.ReadLines(Path.Combine(_folder, "data", "postmaster.pid")).First());

    /// <summary>A connection string to a fresh database of its own.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = $"digest_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Pooling=true;Maximum Pool Size=40;Timeout=15";

    /// <summary>
    /// Starts a cluster. Tests trade durability for speed (no fsync, no full-page writes); a benchmark asks for
    /// <paramref name="durable"/>, the settings an operator runs with; <paramref name="statementStatistics"/> loads
    /// <c>pg_stat_statements</c> so a benchmark can say which statements the server spends its time on.
    /// </summary>
    public static async Task<PostgresCluster> StartAsync(bool durable = false, bool statementStatistics = false)
    {
        string bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderDescending().FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is missing: install the Debian package 'postgresql' (the README's test command does).");
        string folder = Path.Combine(Path.GetTempPath(), $"digest-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        await RunAsync("chown", "postgres:postgres", folder);
        int port = FreePort.Next();
        var cluster = new PostgresCluster(folder, bin, port);
        await cluster.AsPostgresAsync("initdb", "-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        await cluster.AsPostgresAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-w", "start",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300"
                + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
                + (statementStatistics ? " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_planning=on" : ""));
        return cluster;
    }

    private Task AsPostgresAsync(string tool, params string[] arguments) =>
        RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments]);

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        var result = await ProcessRunner.RunAsync(start, TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Output}{result.Error}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await AsPostgresAsync("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

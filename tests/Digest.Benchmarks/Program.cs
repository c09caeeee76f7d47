// Each benchmark measures its subject against a baseline in the same run and prints the ratio: on a shared,
// noisy machine only ratios measured side by side are stable.
var benchmarks = new Dictionary<string, Func<string[], Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["ingest"] = IngestBenchmark.RunAsync,
    ["schedule"] = ScheduleAccuracy.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/Digest.Benchmarks -- <{string.Join("|", benchmarks.Keys)}> [options]");
    return 2;
}
await run(args[1..]);
return 0;

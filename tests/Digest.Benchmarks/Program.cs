// The benchmarks drive Debian's own servers (smtp-sink, PostgreSQL): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Each benchmark measures its subject against a baseline in the same run and prints the ratio: on a shared,
// noisy machine only ratios measured side by side are stable.
var benchmarks = new Dictionary<string, Func<string[], Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["delivery"] = DeliveryBenchmark.RunAsync,
    // The sending half of "delivery", in its own process so its peak memory is the run's alone.
    ["delivery-send"] = DeliveryBenchmark.SendChildAsync,
    // Seeds a store for "delivery-send" and leaves it, so one run can be profiled on its own.
    ["delivery-seed"] = DeliveryBenchmark.SeedFolderAsync,
    // The bare MailKit baseline on its own, so its cost per message can be profiled beside "delivery-send".
    ["delivery-bare"] = DeliveryBenchmark.BareChildAsync,
    // Copies per reader's topics (100,000 readers over 8 topics) against the same run without topics.
    ["topics"] = TopicsBenchmark.RunAsync,
    ["ingest"] = IngestBenchmark.RunAsync,
    ["schedule"] = ScheduleAccuracy.RunAsync,
    ["scaleout"] = ScaleOutBenchmark.RunAsync,
    ["first-message"] = FirstMessageBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/Digest.Benchmarks -- <{string.Join("|", benchmarks.Keys)}> [options]");
    return 2;
}
await run(args[1..]);
return 0;

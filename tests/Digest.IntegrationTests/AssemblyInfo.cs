// These tests start real servers and hosts; running them one at a time keeps ports, files and timings predictable.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

// They drive Debian's own servers and tools (smtp-sink, chromium, …): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

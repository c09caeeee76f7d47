using System.Globalization;

/// <summary>
/// CPU time of processes, from /proc. On a machine whose cores every sender, the sink and the database share, a rate
/// is the machine's CPU divided by what each message costs all of them together: the benchmarks print those costs, so
/// a ratio can be read as what it is.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>Linux's clock ticks per second for /proc's CPU times (USER_HZ).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User and system CPU of a process (and, with <paramref name="reaped"/>, of its children that have exited).</summary>
    public static double Seconds(int processId, bool reaped = false)
    {
        string[] fields = StatFields(processId);
        // After "pid (comm) ": state is field 3 of proc(5), so field N is at index N - 3.
        long ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        if (reaped)
            ticks += long.Parse(fields[16 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[17 - 3], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    /// <summary>The parent process of <paramref name="processId"/>.</summary>
    public static int Parent(int processId) => int.Parse(StatFields(processId)[4 - 3], CultureInfo.InvariantCulture);

    private static string[] StatFields(int processId)
    {
        string stat = File.ReadAllText($"/proc/{processId}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}

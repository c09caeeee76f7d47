using System.Net;
using System.Net.Sockets;

namespace Digest.IntegrationTests.Infrastructure;

internal static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback TCP port nothing listens on, for a server process that must be told its port. Picked below the
    /// kernel's ephemeral range, so that no outgoing connection and no port-0 bind (of this or any other process) can
    /// take it between the check and the server's bind; never the same port twice in one test process.
    /// </summary>
    public static int Next()
    {
        int ephemeralStart = EphemeralRangeStart();
        int low = Math.Max(1024, ephemeralStart - 12_000);
        lock (HandedOut)
        {
            for (int tries = 0; tries < 1000; tries++)
            {
                int port = Random.Shared.Next(low, ephemeralStart);
                if (HandedOut.Contains(port) || !IsFree(port))
                    continue;
                HandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port between {low} and {ephemeralStart}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split('\t', ' ')[0], out int start) ? start : 32768;
    }

    /// <summary>Waits until something accepts connections on the port, or fails the test.</summary>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} within {timeout}. {diagnostics?.Invoke()}");
    }
}

using System.Net;
using System.Net.Sockets;

namespace Digest.Articles.Feeds;

/// <summary>The "Feeds" section's own setting, beside the list of feeds.</summary>
public sealed class FeedNetworkOptions
{
    /// <summary>
    /// Lets feeds be fetched from loopback, private, link-local and unique-local addresses. Off by default: a feed
    /// (or a redirect it answers with) must never make Digest reach into the network it runs in and publish the answer.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}

/// <summary>A feed connection refused because its address is inside the network Digest runs in.</summary>
public sealed class PrivateNetworkRefusedException(string message) : Exception(message);

/// <summary>
/// Opens the feed client's connections. The check is at connect time, on the address DNS gave, so it covers every
/// redirect and a name that resolves inward (a URL check before the request would not).
/// </summary>
public static class FeedNetworkGuard
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = allowPrivateNetworks ? addresses : addresses.Where(a => !IsInward(a)).ToArray();
        if (allowed.Length == 0)
            throw new PrivateNetworkRefusedException(
                $"refused to connect to {endpoint.Host} ({string.Join(", ", addresses.Select(a => a.ToString()))}): a loopback, private or link-local address; set Feeds:AllowPrivateNetworks to true to allow it");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Loopback, unspecified, private (RFC 1918, shared 100.64/10), link-local, unique-local and multicast addresses.</summary>
    public static bool IsInward(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6None))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        byte[] b = address.GetAddressBytes();
        return b[0] is 0 or 10 or >= 224
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}

using System.Diagnostics;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway Postfix (Debian <c>postfix</c>) with its own config, queue and data folders in a temp folder, started
/// with <c>postfix -c DIR start</c>: it accepts mail on a free loopback port, delivers <see cref="LocalDomain"/>
/// locally (where no user exists, so every address bounces, as a mail server does hours after accepting), sends mail
/// for <paramref name="returnDomain"/> (the bounces) to an SMTP server on loopback, and refuses to send anywhere else.
/// </summary>
public sealed class PostfixInstance : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/postfix";
    public const string LocalDomain = "recipients.example";

    private readonly TempFolder _folder;

    private PostfixInstance(TempFolder folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string ConfigDirectory => _folder.Combine("conf");

    public static async Task<PostfixInstance> StartAsync(string returnDomain, int bounceServerPort)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: install the Debian package 'postfix' (the README's test command does).");
        var folder = new TempFolder("postfix");
        int port = FreePort.Next();
        var instance = new PostfixInstance(folder, port);
        foreach (string sub in (string[])["conf", "queue", "data"])
            Directory.CreateDirectory(folder.Combine(sub));
        // Postfix keeps its own state (master.lock, caches) in data_directory as the postfix user.
        await RunAsync("chown", "postfix", folder.Combine("data"));
        string transport = $"inline:{{ {returnDomain}=smtp:[127.0.0.1]:{bounceServerPort} }}";
        await File.WriteAllTextAsync(folder.Combine("conf", "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {folder.Combine("queue")}
            data_directory = {folder.Combine("data")}
            maillog_file = {folder.Combine("postfix.log")}
            maillog_file_prefixes = {folder.Path}
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = mx.{LocalDomain}
            mydomain = {LocalDomain}
            myorigin = $myhostname
            mydestination = {LocalDomain}
            inet_interfaces = loopback-only
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            # No user exists here: every local address is accepted, then bounced by local(8) as "unknown user".
            local_recipient_maps =
            alias_maps =
            alias_database =
            relayhost =
            default_transport = error:this test mail server sends nowhere
            transport_maps = {transport}
            smtp_dns_support_level = disabled
            smtp_host_lookup = native
            biff = no
            queue_run_delay = 1s
            """);
        await File.WriteAllTextAsync(folder.Combine("conf", "master.cf"), $"""
            127.0.0.1:{port} inet n - n - - smtpd
            pickup    unix  n - n 60 1 pickup
            cleanup   unix  n - n - 0 cleanup
            qmgr      unix  n - n 300 1 qmgr
            rewrite   unix  - - n - - trivial-rewrite
            bounce    unix  - - n - 0 bounce
            defer     unix  - - n - 0 bounce
            trace     unix  - - n - 0 bounce
            verify    unix  - - n - 1 verify
            flush     unix  n - n 1000? 0 flush
            proxymap  unix  - - n - - proxymap
            proxywrite unix - - n - 1 proxymap
            smtp      unix  - - n - - smtp
            relay     unix  - - n - - smtp
            showq     unix  n - n - - showq
            error     unix  - - n - - error
            retry     unix  - - n - - error
            discard   unix  - - n - - discard
            local     unix  - n n - - local
            anvil     unix  - - n - 1 anvil
            scache    unix  - - n - 1 scache
            postlog   unix-dgram n - n - 1 postlogd
            """);
        try
        {
            await RunAsync(Binary, "-c", instance.ConfigDirectory, "start");
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(30), instance.Log);
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
        return instance;
    }

    public string Log() => File.Exists(_folder.Combine("postfix.log")) ? File.ReadAllText(_folder.Combine("postfix.log")) : "";

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        var result = await ProcessRunner.RunAsync(start, TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Output}{result.Error}");
    }

    /// <summary>Reads a file Postfix holds locked: .NET's own reads take a lock of their own, which fails.</summary>
    private static async Task<string> ReadLockedAsync(string path) =>
        (await ProcessRunner.RunAsync(new ProcessStartInfo("cat") { ArgumentList = { path } }, TimeSpan.FromSeconds(10))).Output;

    public async ValueTask DisposeAsync()
    {
        string pidFile = _folder.Combine("queue", "pid", "master.pid");
        int? master = File.Exists(pidFile) && int.TryParse((await ReadLockedAsync(pidFile)).Trim(), out int pid) ? pid : null;
        try
        {
            await RunAsync(Binary, "-c", ConfigDirectory, "stop");
        }
        catch (InvalidOperationException)
        {
            // Not running (it failed to start): nothing to stop.
        }
        // 'postfix stop' only signals the master: wait for it to finish before its folders go.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (master is { } running && Directory.Exists($"/proc/{running}") && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        _folder.Dispose();
    }
}

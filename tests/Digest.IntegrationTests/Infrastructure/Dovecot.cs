using System.Diagnostics;
using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace Digest.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway Dovecot IMAP server (Debian <c>dovecot-imapd</c>): its own configuration, run and mail folders in a
/// temp folder, plain-text IMAP on a free loopback port, one passwd-file user, maildir storage. Started in the
/// foreground (<c>dovecot -F</c>), so disposing it kills it with everything it started.
/// </summary>
public sealed class Dovecot : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/dovecot";
    public const string User = "feedback";
    public const string Password = "throwaway-mailbox-password";

    private readonly Process _process;
    private readonly TempFolder _folder;

    private Dovecot(Process process, TempFolder folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Settings that point Digest's feedback mailbox here.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Feedback:Imap:Host"] = "127.0.0.1",
        ["Feedback:Imap:Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Feedback:Imap:Security"] = "None",
        ["Feedback:Imap:User"] = User,
        ["Feedback:Imap:Password"] = Password,
    };

    public static async Task<Dovecot> StartAsync()
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: install the Debian package 'dovecot-imapd' (the README's test command does).");
        var folder = new TempFolder("dovecot");
        int port = FreePort.Next();
        Directory.CreateDirectory(folder.Combine("run"));
        Directory.CreateDirectory(folder.Combine("mail"));
        // Dovecot refuses to keep mail as root: the mailbox belongs to 'nobody', who must be able to write here.
        File.SetUnixFileMode(folder.Combine("mail"), (UnixFileMode)0b111_111_111);
        await File.WriteAllTextAsync(folder.Combine("passwd"), $"{User}:{{PLAIN}}{Password}::::::\n");
        string config = folder.Combine("dovecot.conf");
        await File.WriteAllTextAsync(config, $$"""
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{folder.Combine("run")}}
            state_dir = {{folder.Combine("run", "state")}}
            log_path = {{folder.Combine("dovecot.log")}}
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{folder.Combine("mail")}}/%u
            passdb {
              driver = passwd-file
              args = scheme=PLAIN {{folder.Combine("passwd")}}
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home={{folder.Combine("mail")}}/%u
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{port}}
              }
              inet_listener imaps {
                port = 0
              }
              chroot =
            }
            service anvil {
              chroot =
            }
            """);
        var start = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in (string[])["-F", "-c", config])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dovecot did not start");
        var server = new Dovecot(process, folder, port);
        try
        {
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(15), () => process.HasExited
                ? $"dovecot exited: {process.StandardError.ReadToEnd()} {server.Log()}"
                : server.Log());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public string Log() => File.Exists(_folder.Combine("dovecot.log")) ? File.ReadAllText(_folder.Combine("dovecot.log")) : "";

    public async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(User, Password);
        return client;
    }

    /// <summary>Delivers messages into the INBOX as a mail server would.</summary>
    public async Task AppendAsync(params MimeMessage[] messages)
    {
        using var client = await ConnectAsync();
        foreach (var message in messages)
            await client.Inbox.AppendAsync(message, MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    /// <summary>The subjects of the messages in each named folder (a folder that does not exist counts as empty).</summary>
    public async Task<Dictionary<string, List<string>>> ContentsAsync(params string[] folders)
    {
        using var client = await ConnectAsync();
        var contents = new Dictionary<string, List<string>>();
        foreach (string name in folders)
        {
            var folder = name == "INBOX" ? client.Inbox : await TryFolderAsync(client, name);
            var subjects = new List<string>();
            if (folder is not null)
            {
                await folder.OpenAsync(FolderAccess.ReadOnly);
                foreach (var uid in await folder.SearchAsync(SearchQuery.All))
                    subjects.Add((await folder.GetMessageAsync(uid)).Subject ?? "");
                await folder.CloseAsync();
            }
            contents[name] = subjects;
        }
        await client.DisconnectAsync(true);
        return contents;
    }

    /// <summary>Moves everything in <paramref name="from"/> back to the INBOX, as if moving it had failed after processing.</summary>
    public async Task MoveBackAsync(string from)
    {
        using var client = await ConnectAsync();
        var folder = await TryFolderAsync(client, from) ?? throw new InvalidOperationException($"no folder {from}");
        await folder.OpenAsync(FolderAccess.ReadWrite);
        await folder.MoveToAsync(await folder.SearchAsync(SearchQuery.All), client.Inbox);
        await client.DisconnectAsync(true);
    }

    private static async Task<IMailFolder?> TryFolderAsync(ImapClient client, string name)
    {
        try
        {
            return await client.GetFolder(client.PersonalNamespaces[0]).GetSubfolderAsync(name);
        }
        catch (FolderNotFoundException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _folder.Dispose();
    }
}

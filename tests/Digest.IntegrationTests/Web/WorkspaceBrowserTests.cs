using System.Text.RegularExpressions;
using Digest.IntegrationTests.Infrastructure;
using OpenQA.Selenium;

namespace Digest.IntegrationTests.Web;

/// <summary>
/// The editors' workspace and the subscribers' pages in a real browser: every page reachable from every other through
/// the navigation, each free of serious accessibility problems (axe-core), and the flows people use them for.
/// </summary>
public sealed partial class WorkspaceBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    /// <summary>The navigation's entries and the heading each leads to.</summary>
    private static readonly (string Link, string Path, string Heading)[] Sections =
    [
        ("Editions", "/", "Editions"),
        ("Articles", "/articles", "Articles"),
        ("Subscribers", "/subscribers", "Subscribers"),
        ("Runs", "/runs", "Runs"),
        ("Preview", "/preview", "Preview"),
        ("Archive", "/archive", "Archive"),
    ];

    [Fact]
    public void Navigation_LeadsFromEveryPageToEveryOther_AndEveryPagePassesAxe()
    {
        host.Browser.Manage().Cookies.DeleteAllCookies();
        host.Open("/signin");
        host.AssertAccessible();
        host.SignIn();

        foreach (var (_, from, fromHeading) in Sections)
        {
            host.Open(from);
            Assert.Equal(fromHeading, host.Heading);
            host.AssertAccessible();
            foreach (var (link, to, heading) in Sections.Where(s => s.Path != from))
            {
                host.Open(from);
                host.Find(By.CssSelector("nav[aria-label=Workspace]")).FindElement(By.LinkText(link)).Click();
                host.WaitForText(heading);
                Assert.Equal(host.BaseUrl + to, host.Browser.Url);
                Assert.Equal(heading, host.Heading);
            }
        }
        Assert.Equal("erin", host.Find(By.Id("signed-in-as")).Text);

        host.Open("/no-such-page");
        Assert.Equal("Not found", host.Heading);
        host.AssertAccessible();
    }

    [Fact]
    public async Task Editor_FindsASubscriber_AndEditsNameEditionsAndTimeZone()
    {
        var added = await DigestProcess.RunAsync(host.WorkingDirectory, host.Settings, "subscribers", "add", "pia@example.com", "--name", "Pia", "--edition", "daily");
        Assert.True(added.ExitCode == 0, added.Error);
        host.Browser.Manage().Cookies.DeleteAllCookies();
        host.SignIn();

        host.Open("/subscribers");
        host.Find(By.Name("q")).SendKeys("pia");
        host.Browser.FindElement(By.CssSelector("form.filters button[type=submit]")).Click();
        host.WaitForText("1 subscriber matches");
        host.AssertAccessible();
        host.Browser.FindElement(By.LinkText("pia@example.com")).Click();
        Assert.Equal("pia@example.com", host.Heading);
        host.AssertAccessible();

        var name = host.Find(By.Id("name"));
        name.Clear();
        name.SendKeys("Pia Lindqvist");
        host.Browser.FindElement(By.Id("timeZone")).SendKeys("America/New_York");
        host.Browser.FindElement(By.CssSelector("input[name=editions][value=daily]")).Click(); // untick: no edition left
        host.Browser.FindElement(By.Id("save")).Click();
        host.WaitForText("Saved.");

        Assert.Equal("Pia Lindqvist", host.Find(By.Id("name")).GetAttribute("value"));
        Assert.Equal("America/New_York", host.Browser.FindElement(By.Id("timeZone")).GetAttribute("value"));
        Assert.Equal("nothing", host.Browser.FindElement(By.Id("editions")).Text);
        Assert.Equal("unsubscribed", host.Browser.FindElement(By.Id("status")).Text);
        host.Screenshot("subscriber-edited");
    }

    [Fact]
    public async Task RunPage_ShowsProgressLive_WithoutReloading()
    {
        Directory.CreateDirectory(host.InboxPath);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles", "tram.txt"), Path.Combine(host.InboxPath, "tram.txt"));
        string csv = Path.Combine(host.WorkingDirectory, "readers.csv");
        await File.WriteAllLinesAsync(csv, Enumerable.Range(1, 12).Select(i => $"live{i}@example.com,Reader {i},daily"));
        host.Browser.Manage().Cookies.DeleteAllCookies();
        host.SignIn();
        host.Open("/subscribers/import");
        host.Find(By.Id("file")).SendKeys(csv);
        host.Browser.FindElement(By.Id("import")).Click();
        host.WaitForText("Import report");
        await WaitForAsync(() => File.Exists(Path.Combine(host.InboxPath, "processed", "tram.txt")), "the inbox to take tram.txt");

        // The CLI sends the run from its own process through an SMTP server that waits a second before each reply,
        // one message at a time: the run takes several seconds, and the page must follow it from the shared store.
        await using var slowSink = await SmtpSink.StartAsync("-w", "1");
        var settings = new Dictionary<string, string>(host.Settings)
        {
            ["Delivery:Smtp:Port"] = slowSink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Delivery:Smtp:Connections"] = "1",
        };
        var send = DigestProcess.RunAsync(host.WorkingDirectory, settings, "send", "daily", "--now");

        host.Open("/runs");
        string runUrl = WaitForSendingRun();
        host.Open(runUrl);
        Assert.Equal("sending", host.Find(By.Id("status")).Text);
        host.AssertAccessible();
        host.Browser.ExecuteScript("window.digestLoadedOnce = true;");

        host.WaitForText("completed", TimeSpan.FromSeconds(120)); // twelve messages, each held a second by the server
        var sent = await send;
        Assert.True(sent.ExitCode == 0, sent.Output + sent.Error);
        Assert.Matches(@"^(\d+) of \1$", host.Browser.FindElement(By.Id("sent")).Text);
        Assert.Equal(true, host.Browser.ExecuteScript("return window.digestLoadedOnce === true;")); // updated in place, not reloaded
        Assert.Equal("100%", host.Browser.FindElement(By.Id("percent")).Text);
    }

    [Fact]
    public async Task Subscriber_SubscribesConfirmsAndChangesPreferences_OnAccessiblePages()
    {
        host.Browser.Manage().Cookies.DeleteAllCookies();
        host.Open("/subscribe");
        host.AssertAccessible();
        host.Find(By.Name("name")).SendKeys("Quinn");
        host.Browser.FindElement(By.Name("email")).SendKeys("quinn@example.com");
        host.Browser.FindElement(By.Id("subscribe")).Click();
        host.WaitForText("Check your inbox");
        host.AssertAccessible();

        var mail = Assert.Single(await host.MailForAsync("quinn@example.com"));
        var link = ConfirmUrl().Match(mail.Message.TextBody ?? "");
        Assert.True(link.Success, mail.Message.TextBody);
        host.Open(link.Value);
        host.AssertAccessible();
        host.Find(By.Id("confirm")).Click();
        host.WaitForText("You are subscribed");
        host.AssertAccessible();

        host.Find(By.Id("preferences")).Click();
        host.WaitForText("Your preferences");
        host.AssertAccessible();
        host.Find(By.CssSelector("input[name=paused]")).Click();
        host.Browser.FindElement(By.Id("save")).Click();
        host.WaitForText("Your digests are paused");
        Assert.True(host.Find(By.CssSelector("input[name=paused]")).Selected);
        host.AssertAccessible();
        Assert.Empty(host.Browser.FindElements(By.CssSelector("nav[aria-label=Workspace]"))); // subscribers never see the workspace
    }

    /// <summary>Reloads the run list until a run is sending, and returns its page's address.</summary>
    private string WaitForSendingRun()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            host.Open("/runs");
            var sending = host.Browser.FindElements(By.XPath("//tr[.//span[text()='sending']]//a"));
            if (sending.Count > 0)
                return sending[0].GetAttribute("href")!;
            Thread.Sleep(200); // polling the page, not standing in for synchronisation
        }
        Assert.Fail($"no run was sending within 60 s; the runs page shows: {host.PageText}");
        return "";
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.True(condition(), $"timed out waiting for {what}");
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/confirm/[\w-]+\.[\w-]+")]
    private static partial Regex ConfirmUrl();
}

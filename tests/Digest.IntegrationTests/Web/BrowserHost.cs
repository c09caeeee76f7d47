using System.Globalization;
using Digest.App.Web.Access;
using Digest.IntegrationTests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Digest.IntegrationTests.Web;

/// <summary>
/// The real Digest.App process serving on a free loopback port (Kestrel), sending over SMTP to a real smtp-sink,
/// driven by Debian's headless Chromium through chromedriver. One of each per test class; tests use their own
/// addresses so they can share it.
/// </summary>
public sealed class BrowserHost : IAsyncLifetime
{
    public const string ChromiumBinary = "/usr/bin/chromium";
    public const string DriverBinary = "/usr/bin/chromedriver";
    public const string EditorEmail = "erin@newsroom.example.org";

    private readonly TempFolder _folder = new("digest-browser");
    private RunningDigest? _app;

    public SmtpSink Sink { get; private set; } = null!;
    public ChromeDriver Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public Dictionary<string, string> Settings { get; private set; } = [];
    public string WorkingDirectory => _folder.Path;
    public string InboxPath => _folder.Combine("data", "inbox");

    /// <summary>Screenshots of the pages the tests visit: test artifacts, kept after the run.</summary>
    public static string ArtifactsDirectory => Path.Combine(AppContext.BaseDirectory, "artifacts");

    public async Task InitializeAsync()
    {
        foreach (string binary in new[] { ChromiumBinary, DriverBinary })
            if (!File.Exists(binary))
                throw new InvalidOperationException($"{binary} is missing: install the Debian packages 'chromium' and 'chromium-driver' (the README's test command does).");
        Sink = await SmtpSink.StartAsync();
        int port = FreePort.Next();
        BaseUrl = $"http://127.0.0.1:{port}";
        Settings = new Dictionary<string, string>
        {
            ["Urls"] = BaseUrl,
            ["Storage:DataDirectory"] = _folder.Combine("data"),
            ["Inbox:Path"] = InboxPath,
            ["Inbox:PollInterval"] = "00:00:00.200",
            ["Inbox:SettleTime"] = "00:00:00.200",
            ["Site:PublicUrl"] = BaseUrl,
            ["Editions:daily:Title"] = "The Daily Digest",
            ["Editions:daily:Cron"] = "0 7 1 1 *",
            ["Editions:daily:TimeZone"] = "Europe/Berlin",
            ["Delivery:Transport"] = "Smtp",
            ["Delivery:Smtp:Host"] = "127.0.0.1",
            ["Delivery:Smtp:Port"] = Sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Delivery:Smtp:Security"] = "None",
            ["Delivery:FromAddress"] = "digest@news.example.org",
            ["Users:erin:PasswordHash"] = PasswordHashes.Hash(WebForms.EditorPassword),
            ["Users:erin:Roles:0"] = "editor",
            ["Users:erin:Email"] = EditorEmail,
        };
        _app = RunningDigest.Start(_folder.Path, Settings); // the Urls setting above wins over the generated one
        // Generous: on a loaded machine the service has been seen to take over a minute to start (alive, still starting).
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(180), () => _app.HasExited ? $"Digest.App exited: {_app.Log}" : _app.Log);
        Browser = StartBrowser();
        Directory.CreateDirectory(ArtifactsDirectory);
    }

    private ChromeDriver StartBrowser()
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverBinary)!, Path.GetFileName(DriverBinary));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumBinary };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,1000", $"--user-data-dir={_folder.Combine("chromium-profile")}");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public void Open(string path) => Browser.Navigate().GoToUrl(path.StartsWith("http", StringComparison.Ordinal) ? path : BaseUrl + path);

    /// <summary>Waits for an element of the page now shown; fails saying which page was shown instead.</summary>
    public IWebElement Find(By by)
    {
        IWebElement? found = null;
        Wait(d => (found = d.FindElement(by)) is not null, $"no {by}");
        return found!;
    }

    /// <summary>Waits until the page shows the text: after a click, the page it leads to (the old one may still be up).</summary>
    public void WaitForText(string text, TimeSpan? timeout = null) =>
        Wait(d => d.FindElement(By.TagName("body")).Text.Contains(text, StringComparison.Ordinal), $"no \"{text}\"", timeout);

    public string PageText => Browser.FindElement(By.TagName("body")).Text;

    private void Wait(Func<IWebDriver, bool> condition, string failure, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(Browser, timeout ?? TimeSpan.FromSeconds(15));
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            wait.Until(driver =>
            {
                try
                {
                    return condition(driver);
                }
                // The page was replaced while it was being read (the old page of a click still up): ChromeDriver says so
                // in this error, not as a stale element. Read the new one on the next poll.
                catch (UnknownErrorException changed) when (changed.Message.Contains("does not belong to the document", StringComparison.Ordinal))
                {
                    return false;
                }
            });
        }
        catch (WebDriverTimeoutException)
        {
            string shown;
            try { shown = PageText; }
            catch (WebDriverException) { shown = "(unreadable)"; }
            Assert.Fail($"{failure} on {Browser.Url} within {(timeout ?? TimeSpan.FromSeconds(15)).TotalSeconds:0} s. The page shows: {shown}");
        }
    }

    public void Screenshot(string name) => Browser.GetScreenshot().SaveAsFile(Path.Combine(ArtifactsDirectory, name + ".png"));

    /// <summary>axe-core as npm installs it (the test command runs <c>npm ci</c> in tests/Digest.IntegrationTests/browser).</summary>
    private static readonly Lazy<string> Axe = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "browser", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
                return File.ReadAllText(candidate);
        }
        throw new InvalidOperationException(
            "axe-core is missing: run 'npm ci --prefix tests/Digest.IntegrationTests/browser' (the README's test command does).");
    });

    /// <summary>Runs axe-core on the page now shown; fails naming every serious or critical violation and where it is.</summary>
    public void AssertAccessible()
    {
        Browser.ExecuteScript(Axe.Value);
        Browser.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(30);
        var found = Browser.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join('; ')}`)))
              .catch(e => done(['axe failed: ' + e]));
            """);
        var violations = (found as IEnumerable<object> ?? []).Select(v => v?.ToString() ?? "").ToList();
        Assert.True(violations.Count == 0, $"{Browser.Url} has accessibility violations:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
    }

    /// <summary>The heading of the page now shown, once it shows one.</summary>
    public string Heading => Find(By.TagName("h1")).Text;

    public void SignIn()
    {
        Open("/signin");
        Find(By.Name("userName")).SendKeys("erin");
        Browser.FindElement(By.Name("password")).SendKeys(WebForms.EditorPassword);
        Browser.FindElement(By.CssSelector("button[type=submit]")).Click();
        new WebDriverWait(Browser, TimeSpan.FromSeconds(15)).Until(d => !d.Url.Contains("/signin", StringComparison.Ordinal));
    }

    /// <summary>Messages the sink received for one address, waiting until at least <paramref name="count"/> arrived.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> MailForAsync(string address, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var mine = Sink.Messages().Where(m => m.Recipients.Contains(address)).ToList();
            if (mine.Count >= count || DateTime.UtcNow > deadline)
                return mine;
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        Browser?.Quit();
        Browser?.Dispose();
        if (_app is not null)
            await _app.DisposeAsync();
        if (Sink is not null)
            await Sink.DisposeAsync();
        _folder.Dispose();
    }
}

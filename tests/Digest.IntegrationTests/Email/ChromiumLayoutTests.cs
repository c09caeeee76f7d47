using Digest.IntegrationTests.Infrastructure;
using MimeKit;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Digest.IntegrationTests.Email;

/// <summary>An outside judge: headless Debian Chromium lays out the HTML part of a sent digest at phone and desktop widths.</summary>
public sealed class ChromiumLayoutTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    [Theory]
    [InlineData(375, true)]
    [InlineData(800, false)]
    public async Task Digest_AtViewportWidth_HasNoHorizontalOverflow(int width, bool phone)
    {
        var message = MimeMessage.Load(new MemoryStream(await SentDigest.SendAsync()));
        using var folder = new TempFolder("digest-chromium");
        string page = folder.Combine("digest.html");
        await File.WriteAllTextAsync(page, message.HtmlBody);
        using var driver = Start(folder.Combine("profile"));
        // A phone honours the viewport meta tag as a mail app's web view does; the desktop width does not need to.
        driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width, ["height"] = 900, ["deviceScaleFactor"] = 1, ["mobile"] = phone,
        });

        driver.Navigate().GoToUrl(new Uri(page).AbsoluteUri);

        var js = (IJavaScriptExecutor)driver;
        long innerWidth = (long)js.ExecuteScript("return window.innerWidth")!;
        long scrollWidth = (long)js.ExecuteScript("return document.documentElement.scrollWidth")!;
        string wide = (string)js.ExecuteScript("""
            return [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > arguments[0] + 0.5)
              .slice(0, 5).map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right) + 'px: ' + (e.textContent || '').trim().slice(0, 60))
              .join('; ')
            """, width)!;
        // On a phone, content wider than the screen widens the layout viewport itself (the page is zoomed out).
        Assert.True(innerWidth == width && scrollWidth <= innerWidth,
            $"at {width} px the digest lays out {innerWidth} px wide and scrolls {scrollWidth} px; too wide: {wide}");
        Assert.Contains("Public Library Extends Opening Hours", driver.FindElement(By.TagName("h2")).Text);
    }

    /// <summary>Chromium with no network chatter and a fresh profile, so nothing from an earlier run leaks in.</summary>
    private static ChromeDriver Start(string profile)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is not installed (Debian package chromium)");
        Assert.True(File.Exists(ChromeDriver), $"{ChromeDriver} is not installed (Debian package chromium-driver)");
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}

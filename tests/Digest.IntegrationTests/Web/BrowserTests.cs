using System.Text.RegularExpressions;
using Digest.IntegrationTests.Infrastructure;
using MimeKit;
using OpenQA.Selenium;

namespace Digest.IntegrationTests.Web;

/// <summary>Subscribers and editors in a real browser against the real service. Screenshots go to the test output's artifacts/.</summary>
public sealed partial class BrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task Subscriber_SignsUp_ConfirmsFromTheEmail_AndAppearsConfirmed()
    {
        host.Browser.Manage().Cookies.DeleteAllCookies();
        host.Open("/subscribe");
        host.Find(By.Name("name")).SendKeys("Nora");
        host.Browser.FindElement(By.Name("email")).SendKeys("nora@example.com");
        host.Screenshot("subscribe");
        host.Browser.FindElement(By.Id("subscribe")).Click();
        host.WaitForText("Check your inbox");

        var mail = Assert.Single(await host.MailForAsync("nora@example.com"));
        string link = Link(ConfirmUrl(), mail.Message.TextBody);
        host.Open(link);
        host.Screenshot("confirm");
        host.Find(By.Id("confirm")).Click();
        host.WaitForText("You are subscribed");
        host.Screenshot("confirmed");

        host.SignIn();
        host.Open("/subscribers?q=nora");
        host.Find(By.TagName("table"));
        host.Screenshot("subscribers");
        Assert.Matches(@"nora@example\.com\s+Nora\s+confirmed\s+daily", host.PageText);
    }

    [Fact]
    public async Task Editor_SignsIn_PreviewsTheDailyEdition_AndSendsATest()
    {
        host.Browser.Manage().Cookies.DeleteAllCookies();
        host.Open("/preview");
        Assert.Contains("/signin", host.Browser.Url);
        host.Screenshot("signin");

        host.SignIn();
        host.Open("/preview?edition=daily");
        host.Find(By.Id("desktop"));
        host.Screenshot("preview");
        host.Browser.SwitchTo().Frame(host.Browser.FindElement(By.Id("desktop")));
        string digest = host.PageText;
        host.Browser.SwitchTo().DefaultContent();
        Assert.Contains("The Daily Digest", digest);

        Assert.Equal(BrowserHost.EditorEmail, host.Browser.FindElement(By.Name("to")).GetAttribute("value"));
        host.Browser.FindElement(By.Id("send-test")).Click();
        host.WaitForText($"Test sent to {BrowserHost.EditorEmail}.");
        var test = Assert.Single(await host.MailForAsync(BrowserHost.EditorEmail));
        Assert.StartsWith("[Test] The Daily Digest", test.Message.Subject);
    }

    [Fact]
    public async Task UnsubscribeLink_FromAReceivedDigest_Works()
    {
        Directory.CreateDirectory(host.InboxPath);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "articles", "solar.txt"), Path.Combine(host.InboxPath, "solar.txt"));
        await WaitForAsync(() => File.Exists(Path.Combine(host.InboxPath, "processed", "solar.txt")), "the inbox to take solar.txt");
        var added = await DigestProcess.RunAsync(host.WorkingDirectory, host.Settings, "subscribers", "add", "omar@example.com", "--name", "Omar", "--edition", "daily");
        Assert.True(added.ExitCode == 0, added.Error);
        var sent = await DigestProcess.RunAsync(host.WorkingDirectory, host.Settings, "send", "daily", "--now");
        Assert.True(sent.ExitCode == 0, sent.Output + sent.Error);

        var digest = Assert.Single(await host.MailForAsync("omar@example.com"));
        string unsubscribe = Link(UnsubscribeUrl(), digest.Message.HtmlBody);
        Assert.Equal($"<{unsubscribe}>", digest.Message.Headers[HeaderId.ListUnsubscribe]?.Split(',')[0].Trim());
        host.Browser.Manage().Cookies.DeleteAllCookies();
        host.Open(unsubscribe);
        host.Screenshot("unsubscribe");
        host.Find(By.CssSelector("button[type=submit]")).Click();
        host.WaitForText("You are unsubscribed");
        host.Screenshot("unsubscribed");

        host.Open("/archive");
        host.WaitForText("The Daily Digest");
        host.Screenshot("archive");
        host.SignIn();
        host.Open("/subscribers?edition=daily&q=omar");
        host.WaitForText("0 subscribers match");
        Assert.DoesNotContain("omar@example.com", host.PageText);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.True(condition(), $"timed out waiting for {what}");
    }

    private static string Link(Regex pattern, string? body)
    {
        var match = pattern.Match(body ?? "");
        Assert.True(match.Success, $"no link matching {pattern} in: {body}");
        return match.Value;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/confirm/[\w-]+\.[\w-]+")]
    private static partial Regex ConfirmUrl();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/u/[\w-]+\.[\w-]+")]
    private static partial Regex UnsubscribeUrl();
}

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Digest.IntegrationTests.Infrastructure;
using Digest.Subscribers;
using static Digest.IntegrationTests.Feedback.FeedbackScenario;

namespace Digest.IntegrationTests.Feedback;

/// <summary>
/// Relay webhooks through the app's HTTP pipeline: Mailgun (HMAC) and Amazon SES via SNS (RSA signatures checked
/// against a signing certificate served by a throwaway HTTP server on loopback). Genuine calls act once; unsigned
/// calls get 401, forged or stale ones 403, and change nothing.
/// </summary>
public sealed class FeedbackWebhookTests : IAsyncLifetime
{
    private const string MailgunKey = "mailgun-webhook-signing-key-for-tests";
    private readonly HttpListener _certificateServer = new();
    private readonly List<string> _served = [];
    private readonly RSA _snsKey = RSA.Create(2048);
    private string _certificateUrl = "";
    private StartedRunHost _started = null!;

    private sealed record StartedRunHost(Delivery.StartedRun Run, HttpClient Client) : IDisposable
    {
        public DigestTestHost Host => Run.Host;
        public void Dispose() => Run.Dispose();
    }

    public async Task InitializeAsync()
    {
        int port = FreePort.Next();
        _certificateServer.Prefixes.Add($"http://127.0.0.1:{port}/");
        _certificateServer.Start();
        _certificateUrl = $"http://127.0.0.1:{port}/SimpleNotificationService-test.pem";
        var request = new CertificateRequest("CN=sns.test", _snsKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        string pem = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)).ExportCertificatePem();
        _ = ServeAsync(pem);
        var run = await SentRunAsync(new Dictionary<string, string?>
        {
            ["Feedback:Webhooks:MailgunSigningKey"] = MailgunKey,
            ["Feedback:Webhooks:SnsCertificateHost"] = @"^127\.0\.0\.1$",
            ["Feedback:Webhooks:SnsAllowHttp"] = "true",
        }, "ana@example.com", "ben@example.com");
        _started = new StartedRunHost(run, run.Host.CreateClient());
    }

    private async Task ServeAsync(string pem)
    {
        while (_certificateServer.IsListening)
        {
            HttpListenerContext context;
            try { context = await _certificateServer.GetContextAsync(); }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            lock (_served)
                _served.Add(context.Request.Url!.PathAndQuery);
            byte[] bytes = Encoding.ASCII.GetBytes(context.Request.Url!.AbsolutePath.EndsWith(".pem") ? pem : "<ConfirmSubscriptionResponse/>");
            context.Response.StatusCode = 200;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public Task DisposeAsync()
    {
        _started.Dispose();
        _certificateServer.Stop();
        _certificateServer.Close();
        _snsKey.Dispose();
        return Task.CompletedTask;
    }

    private Task<HttpResponseMessage> PostAsync(string path, object body) =>
        _started.Client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "text/plain"));

    private async Task<long> IdAsync(string email) => (await SubscriberAsync(_started.Host, email)).Id;

    private object Mailgun(string eventName, string severity, string recipient, long subscriberId, string key = MailgunKey, long? timestamp = null)
    {
        string stamp = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString();
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(25));
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(stamp + token)));
        return new Dictionary<string, object>
        {
            ["signature"] = new { timestamp = stamp, token, signature },
            ["event-data"] = new Dictionary<string, object>
            {
                ["id"] = $"evt-{token[..8]}", ["event"] = eventName, ["severity"] = severity, ["recipient"] = recipient,
                ["delivery-status"] = new { code = 550, message = "5.1.1 The email account does not exist" },
                ["message"] = new { headers = new Dictionary<string, string> { ["message-id"] = $"digest.{_started.Run.Run.Id}.{subscriberId}@news.example.org" } },
            },
        };
    }

    [Fact]
    public async Task Mailgun_PermanentFailure_Suppresses_OnceEvenWhenRetried()
    {
        long ben = await IdAsync("ben@example.com");
        var call = Mailgun("failed", "permanent", "ben@example.com", ben);

        var first = await PostAsync("/webhooks/mailgun", call);
        var again = await PostAsync("/webhooks/mailgun", call);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.Equal("suppressed", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("effect").GetString());
        Assert.Equal(SubscriberStatus.Suppressed, (await SubscriberAsync(_started.Host, "ben@example.com")).Status);
        Assert.Equal(1L, await EventCountAsync(_started.Host));
    }

    [Fact]
    public async Task Mailgun_UnsignedForgedOrStale_IsRefused_AndChangesNothing()
    {
        long ben = await IdAsync("ben@example.com");

        var unsigned = await PostAsync("/webhooks/mailgun", new { @event = "failed", recipient = "ben@example.com" });
        var forged = await PostAsync("/webhooks/mailgun", Mailgun("failed", "permanent", "ben@example.com", ben, key: "a-guessed-key"));
        var stale = await PostAsync("/webhooks/mailgun", Mailgun("failed", "permanent", "ben@example.com", ben,
            timestamp: DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()));

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            [unsigned.StatusCode, forged.StatusCode, stale.StatusCode]);
        Assert.Equal(SubscriberStatus.Confirmed, (await SubscriberAsync(_started.Host, "ben@example.com")).Status);
        Assert.Equal(0L, await EventCountAsync(_started.Host));
    }

    private Dictionary<string, string> Sns(string type, string message, Dictionary<string, string>? extra = null, string? certificateUrl = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["Type"] = type, ["MessageId"] = Guid.NewGuid().ToString(), ["TopicArn"] = "arn:aws:sns:eu-west-1:123456789012:digest-feedback",
            ["Message"] = message, ["Timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), ["SignatureVersion"] = "2",
            ["SigningCertURL"] = certificateUrl ?? _certificateUrl,
        };
        foreach (var (key, value) in extra ?? [])
            fields[key] = value;
        string[] signed = type == "Notification"
            ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
            : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
        string text = string.Concat(signed.Where(fields.ContainsKey).Select(f => $"{f}\n{fields[f]}\n"));
        fields["Signature"] = Convert.ToBase64String(_snsKey.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return fields;
    }

    private string SesComplaint(long subscriberId) => JsonSerializer.Serialize(new
    {
        notificationType = "Complaint",
        complaint = new { complaintFeedbackType = "abuse", complainedRecipients = new[] { new { emailAddress = "ana@example.com" } } },
        mail = new { commonHeaders = new { messageId = $"<digest.{_started.Run.Run.Id}.{subscriberId}@news.example.org>" } },
    });

    [Fact]
    public async Task Ses_SignedComplaint_UnsubscribesAndSuppresses()
    {
        var response = await PostAsync("/webhooks/ses", Sns("Notification", SesComplaint(await IdAsync("ana@example.com"))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SubscriberStatus.Suppressed, (await SubscriberAsync(_started.Host, "ana@example.com")).Status);
        Assert.Equal(SubscriberStatus.Unsubscribed, await SubscriptionAsync(_started.Host, "ana@example.com"));
        var figures = await _started.Host.Get<Digest.Feedback.FeedbackFigures>().ForRunAsync(_started.Run.Run.Id);
        Assert.Equal(1, figures!.Complaints);
        Assert.Contains(figures.Warnings, w => w.StartsWith("complaint rate 50.00%"));
    }

    [Fact]
    public async Task Ses_AlteredMessageOrForeignCertificate_IsRefused_AndChangesNothing()
    {
        var altered = Sns("Notification", SesComplaint(await IdAsync("ana@example.com")));
        altered["Message"] = SesComplaint(await IdAsync("ben@example.com"));
        var foreign = Sns("Notification", SesComplaint(await IdAsync("ana@example.com")), certificateUrl: "https://certificates.attacker.example/cert.pem");
        var unsigned = new { Type = "Notification", Message = SesComplaint(await IdAsync("ana@example.com")) };

        var responses = new[] { await PostAsync("/webhooks/ses", altered), await PostAsync("/webhooks/ses", foreign), await PostAsync("/webhooks/ses", unsigned) };

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized], responses.Select(r => r.StatusCode));
        Assert.Equal(0L, await EventCountAsync(_started.Host));
        Assert.Equal(SubscriberStatus.Confirmed, (await SubscriberAsync(_started.Host, "ben@example.com")).Status);
    }

    [Fact]
    public async Task Ses_SubscriptionConfirmation_IsConfirmedByFetchingTheSubscribeUrl()
    {
        string subscribe = _certificateUrl.Replace("SimpleNotificationService-test.pem", "confirm?Token=abc", StringComparison.Ordinal);

        var response = await PostAsync("/webhooks/ses", Sns("SubscriptionConfirmation", "You have chosen to subscribe…",
            new() { ["SubscribeURL"] = subscribe, ["Token"] = "abc" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        lock (_served)
            Assert.Contains("/confirm?Token=abc", _served);
    }
}

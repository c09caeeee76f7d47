using System.Security.Cryptography;
using Digest.Delivery;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Digest.Subscribers;

/// <summary>The double opt-in email: one link that confirms the address, sent through the configured transport.</summary>
public sealed class ConfirmationMail(IMailTransport transport, SubscriberLinks links, IOptions<DeliveryOptions> delivery, TimeProvider time)
{
    public async Task SendAsync(Subscriber subscriber, IEnumerable<string> editionTitles, CancellationToken cancellationToken = default)
    {
        var settings = delivery.Value;
        string url = links.ConfirmUrl(subscriber.Id);
        string titles = string.Join(", ", editionTitles);
        string greeting = string.IsNullOrWhiteSpace(subscriber.Name) ? "Hello," : $"Hello {subscriber.Name},";
        using var message = new MimeMessage
        {
            Subject = $"Confirm your subscription to {titles}",
            Date = time.GetUtcNow(),
            MessageId = $"confirm.{subscriber.Id}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}@{settings.SendingDomain}",
        };
        message.From.Add(new MailboxAddress(settings.FromName, settings.FromAddress));
        message.To.Add(new MailboxAddress(subscriber.Name, subscriber.Email));
        message.Headers.Add("Auto-Submitted", "auto-generated");
        string text = $"""
            {greeting}

            someone, hopefully you, asked to receive {titles} at this address.
            To confirm, open this link (it works for {SubscriberLinks.ConfirmLifetime.Days} days):

            {url}

            If it was not you, ignore this email: nothing will be sent.
            """;
        string html = $"""
            <!DOCTYPE html><html><body style="font-family:sans-serif">
            <p>{Encode(greeting)}</p>
            <p>someone, hopefully you, asked to receive <strong>{Encode(titles)}</strong> at this address.</p>
            <p><a href="{Encode(url)}">Confirm my subscription</a> (the link works for {SubscriberLinks.ConfirmLifetime.Days} days).</p>
            <p>If it was not you, ignore this email: nothing will be sent.</p>
            </body></html>
            """;
        message.Body = new MultipartAlternative { BodyPart.FromText(text).ToMime(TextFormat.Plain), BodyPart.FromText(html).ToMime(TextFormat.Html) };
        await transport.SendAsync(message, cancellationToken);
    }

    private static string Encode(string text) => System.Net.WebUtility.HtmlEncode(text);
}

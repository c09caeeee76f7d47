using Digest.Delivery;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Digest.Tests.Email;

/// <summary>A run reuses a few message drafts copy after copy: each copy must still say when it was written.</summary>
public sealed class MessageDraftTests
{
    [Fact]
    public async Task ReusedDraft_DatesEachCopyWhenItIsFilled()
    {
        using var samples = new EmailSamples();
        var time = (FakeTimeProvider)samples.Get<TimeProvider>();
        var view = await samples.ComposeAsync(EmailSamples.Articles(2));
        var body = MessageBody.From(await samples.RenderAsync(view));
        var envelope = new Envelope(EmailSamples.MessageId, EmailSamples.Reader, samples.Daily.Name, samples.Daily.Title, view.Recipient.UnsubscribeUrl);
        using var draft = samples.Get<MessageFactory>().Draft(samples.Daily.Name, samples.Daily.Title, view.Digest.Subject);

        var dates = new List<string>();
        foreach (var step in new[] { 0.2, 0.5, 5, 0.1, 3600 })
        {
            time.Advance(TimeSpan.FromSeconds(step));
            dates.Add(draft.Fill(envelope, body).Headers[HeaderId.Date] ?? "");
        }

        var start = EmailSamples.Slot;
        Assert.Equal(new[] { start, start, start.AddSeconds(5), start.AddSeconds(5), start.AddSeconds(3605) }
            .Select(d => MimeKit.Utils.DateUtils.FormatDate(d)), dates);
    }
}

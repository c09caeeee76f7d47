using System.CommandLine;
using Digest.Feedback;

namespace Digest.App.Cli;

/// <summary><c>feedback check</c>: processes the feedback mailbox once and prints what became of each message.</summary>
internal static class FeedbackCommand
{
    public static Command Create()
    {
        var check = new Command("check", "Process the feedback mailbox (Feedback:Imap) once: bounces, complaints, emailed unsubscribes");
        check.SetAction(async (_, cancellationToken) =>
        {
            using var host = await DigestCli.StartEngineAsync(cancellationToken);
            IReadOnlyList<MailboxItem> items;
            try
            {
                items = await host.Services.GetRequiredService<FeedbackMailbox>().CheckAsync(cancellationToken);
            }
            catch (InvalidOperationException error)
            {
                Console.Error.WriteLine(error.Message);
                return 1;
            }
            foreach (var item in items)
                Console.WriteLine($"{item.Result}  [\"{item.Subject}\" from {item.From} → {item.MovedTo}]");
            Console.WriteLine($"{items.Count} message(s) processed: " + string.Join(", ",
                items.GroupBy(i => i.Result.Kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}")) +
                $"; {items.Count(i => i.Result.ForAPerson)} left for a person.");
            return 0;
        });
        return new Command("feedback", "Bounces, complaints and emailed unsubscribes") { check };
    }

    /// <summary>The run's feedback under <c>runs show</c>: figures, warnings, and each event with the provider's reason.</summary>
    public static async Task PrintRunAsync(IHost host, long runId, CancellationToken cancellationToken)
    {
        if (await host.Services.GetRequiredService<FeedbackFigures>().ForRunAsync(runId, 1000, cancellationToken) is not { } feedback)
            return;
        Console.WriteLine(feedback.Line());
        foreach (string warning in feedback.Warnings)
            Console.WriteLine($"  WARNING: {warning}");
        foreach (var item in feedback.Events)
            Console.WriteLine($"  {item.Kind,-12} {item.Email ?? "-"}  {item.Effect}: {item.Reason}");
    }
}

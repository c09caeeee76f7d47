using Digest.Delivery;
using Microsoft.Extensions.Time.Testing;

namespace Digest.Tests.Delivery;

public sealed class SendPacerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task WaitTurn_AtTenPerSecond_LetsOneMessageGoEveryTenthOfASecond()
    {
        var pacer = new SendPacer(10, _time);

        var turns = Enumerable.Range(0, 3).Select(_ => pacer.WaitTurnAsync(CancellationToken.None)).ToList();
        await Task.Yield();
        bool[] Done() => turns.Select(t => t.IsCompleted).ToArray();

        Assert.Equal([true, false, false], Done());
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal([true, false, false], Done());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await turns[1].WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([true, true, false], Done());
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await Task.WhenAll(turns);
    }

    [Fact]
    public async Task WaitTurn_WithFourSendingProcesses_PacesAtAQuarterOfTheConfiguredRate()
    {
        var pacer = new SendPacer(40, _time, new SenderShare { Senders = 4 });

        var turns = Enumerable.Range(0, 2).Select(_ => pacer.WaitTurnAsync(CancellationToken.None)).ToList();
        await Task.Yield();

        // 40 per second for the installation is 10 per second here: the second message waits 100 ms, not 25 ms. A
        // turn due by then would have ended inside Advance, which fires due timers before it returns.
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(turns[1].IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await turns[1].WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void SlowDown_HalvesRateAtMostOncePerSecond_AndAcceptancesEarnItBackToTheConfiguredRate()
    {
        var pacer = new SendPacer(10, _time);

        pacer.SlowDown();
        double once = pacer.Rate;
        pacer.SlowDown();
        double sameSecond = pacer.Rate;
        _time.Advance(TimeSpan.FromSeconds(1));
        pacer.SlowDown();
        double twice = pacer.Rate;
        for (int i = 0; i < 500; i++)
            pacer.Accepted();

        Assert.Equal((5, 5, 2.5), (once, sameSecond, twice));
        Assert.Equal(10, pacer.Rate);
    }

    [Fact]
    public void SlowDown_WhenUnlimited_HalvesTheRateTheServerWasAnswering()
    {
        var pacer = new SendPacer(0, _time);
        for (int i = 0; i < 200; i++)
        {
            pacer.Answered();
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        pacer.SlowDown();

        Assert.InRange(pacer.Rate, 45, 55);
    }

    [Fact]
    public void SlowDown_NeverGoesBelowOneMessagePerSecond()
    {
        var pacer = new SendPacer(1.5, _time);
        for (int i = 0; i < 5; i++)
        {
            pacer.SlowDown();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(SendPacer.MinimumRate, pacer.Rate);
    }
}

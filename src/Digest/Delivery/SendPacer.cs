namespace Digest.Delivery;

/// <summary>
/// Spaces messages evenly at a rate (no bursts: message n leaves no earlier than n / rate seconds after the first),
/// and lowers that rate when the server pushes back, raising it again slowly while it accepts. A rate of 0 means
/// no limit until the first push-back.
/// </summary>
internal sealed class SendPacer(double configured, TimeProvider time, SenderShare? share = null)
{
    private readonly double _configured = configured;
    /// <summary>Never slow below this, or a throttled run would stall instead of crawl.</summary>
    public const double MinimumRate = 1;

    private readonly Lock _gate = new();
    private double _rate = configured;
    private double _rateWhenSlowed;
    private long _nextSlot;
    private long _lastSlowDown;
    private long _windowStart = time.GetTimestamp();
    private int _windowCount;
    private double _observedRate;

    /// <summary>The current limit in messages per second; 0 when unlimited.</summary>
    public double Rate
    {
        get { lock (_gate) return _rate; }
    }

    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            long now = time.GetTimestamp();
            if (_rate <= 0)
                return;
            long slot = Math.Max(now, _nextSlot);
            // This process's share of the installation-wide rate.
            _nextSlot = slot + (long)(time.TimestampFrequency * (share?.Senders ?? 1) / _rate);
            wait = time.GetElapsedTime(now, slot);
        }
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, time, cancellationToken);
    }

    /// <summary>A reply from the server, whatever it said: the observed rate is what slowing down halves.</summary>
    public void Answered()
    {
        lock (_gate)
        {
            long now = time.GetTimestamp();
            _windowCount++;
            if (time.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
            {
                _observedRate = _windowCount / time.GetElapsedTime(_windowStart, now).TotalSeconds;
                _windowStart = now;
                _windowCount = 0;
            }
        }
    }

    /// <summary>An accepted message lets a lowered rate climb back.</summary>
    public void Accepted()
    {
        Answered();
        lock (_gate)
        {
            if (_rate <= 0 || _rate == _configured)
                return;
            // Each acceptance earns back a little: about fifty in a row double the rate.
            _rate *= 1.015;
            if (_configured > 0 && _rate >= _configured)
                _rate = _configured;
            else if (_configured <= 0 && _rate >= _rateWhenSlowed * 4)
                _rate = 0;
        }
    }

    /// <summary>The server pushed back (421, or a run of 4xx): halve the rate, at most once a second.</summary>
    public void SlowDown()
    {
        lock (_gate)
        {
            long now = time.GetTimestamp();
            if (_lastSlowDown != 0 && time.GetElapsedTime(_lastSlowDown, now) < TimeSpan.FromSeconds(1))
                return;
            _lastSlowDown = now;
            // Unlimited so far: halve what the server has actually been answering (the current window, if none finished yet).
            double observed = _observedRate > 0 ? _observedRate
                : _windowCount / Math.Max(0.05, time.GetElapsedTime(_windowStart, now).TotalSeconds);
            double current = _rate > 0 ? _rate : Math.Max(observed, MinimumRate * 2);
            _rateWhenSlowed = current;
            _rate = Math.Max(MinimumRate, current / 2);
        }
    }
}

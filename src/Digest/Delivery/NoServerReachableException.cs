namespace Digest.Delivery;

/// <summary>
/// Every SMTP server is out of rotation, waiting to answer a probe: an outage, not a recipient's failure. The copy
/// waits for a server without being charged an attempt, and goes as soon as one answers.
/// </summary>
public sealed class NoServerReachableException(string message, Exception? inner = null) : Exception(message, inner);

using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>A link-signing secret, when given, must be long enough that nobody can guess it.</summary>
public sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public const int MinimumSecretLength = 32;

    /// <summary>How an operator makes a secret, for every message that asks for one.</summary>
    public const string HowToGenerate = "generate one with 'openssl rand -base64 48'";

    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        // The secret itself is never echoed: start-up messages end up in logs.
        int length = options.TokenSecret?.Trim().Length ?? 0;
        return length is > 0 and < MinimumSecretLength
            ? ValidateOptionsResult.Fail(
                $"Security:TokenSecret: {length} characters is too short; it must be at least {MinimumSecretLength} random characters ({HowToGenerate})")
            : ValidateOptionsResult.Success;
    }
}

using Microsoft.Extensions.Options;

namespace Digest.Storage;

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        string.Equals(options.Provider, "Sqlite", StringComparison.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Storage:Provider: '{options.Provider}' is not supported; use Sqlite");
}

using Microsoft.Extensions.Options;
using Npgsql;

namespace Digest.Storage;

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (options.Provider != StorageProvider.Postgres)
            return ValidateOptionsResult.Success;
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            return ValidateOptionsResult.Fail("Storage:ConnectionString: Provider is Postgres but no connection string is set (e.g. Host=localhost;Database=digest;Username=digest)");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException error)
        {
            return ValidateOptionsResult.Fail($"Storage:ConnectionString: not a valid PostgreSQL connection string: {error.Message}");
        }
    }
}

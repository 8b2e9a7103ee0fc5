using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Security;

/// <summary>
/// The default <c>Storage:Local:SigningKey</c> is in the source code, so with it anyone can sign upload
/// URLs and write into this API's storage. The API refuses to start with it unless local mode is declared
/// (<c>LocalMode=true</c>, see <see cref="LocalMode"/>); nothing is inferred from where it listens, its URLs or
/// its environment, so a loopback API behind a reverse proxy is not local. With <c>Storage:Provider=S3</c> no
/// key is used and nothing is checked.
/// </summary>
public sealed class DevelopmentSigningKeyGuard(IConfiguration configuration) : IValidateOptions<LocalStorageOptions>
{
    public const string Setting = "Storage:Local:SigningKey";

    public ValidateOptionsResult Validate(string? name, LocalStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SigningKey != LocalStorageOptions.DevelopmentSigningKey || LocalMode.IsOn(configuration))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(
            $"{Setting} is the development key, which is public in the source code. Set {Setting} (environment variable " +
            $"Storage__Local__SigningKey) to a secret of your own, e.g. the output of `openssl rand -hex 32`. The development key " +
            $"is accepted only in local mode, declared with {LocalMode.Key}=true (build/demo.sh sets it), and {LocalMode.Key} is not set.");
    }
}

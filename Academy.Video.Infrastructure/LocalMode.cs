using Microsoft.Extensions.Configuration;

namespace Academy.Video.Infrastructure;

/// <summary>
/// Local mode is declared by one setting, <c>LocalMode=true</c> (docs/configuration.md, local mode), and read
/// here only: never inferred from addresses, URLs or the environment. It lets this machine's development
/// conveniences through (the public development signing key, private webhook targets, the development
/// database and runner defaults of the operator commands); the API refuses it with production-only settings.
/// </summary>
public static class LocalMode
{
    public const string Key = "LocalMode";

    /// <summary>True only when <c>LocalMode</c> is set to <c>true</c>; unset is false; anything else is a named failure.</summary>
    public static bool IsOn(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        return bool.TryParse(value.Trim(), out var on)
            ? on
            : throw new InvalidOperationException($"{Key} must be true or false, not '{value}'.");
    }
}

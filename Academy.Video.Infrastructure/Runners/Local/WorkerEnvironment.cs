using System.Collections;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// The environment the local runner gives a worker, built from what the worker needs rather than inherited whole:
/// a container started by Batch sees only its job definition's variables, and a child of the API must not see the
/// API's own secrets (its API keys, its URL signing keys, the webhook secret key), which FFmpeg would inherit in turn.
/// From the API's environment only these pass: the process basics (<see cref="BasicVariables"/>, <c>LC_*</c>), the
/// .NET runtime's <c>DOTNET_*</c>, and the configuration sections the worker reads (<see cref="WorkerSections"/>)
/// less the keys it never uses (<see cref="WithheldKeys"/>). <c>Runner:Local:Environment</c> is then laid over them
/// as the operator wrote it, and the per-attempt variables last.
/// </summary>
public static class WorkerEnvironment
{
    /// <summary>Process basics every program expects: where to find programs, the home and temporary folders, locale and zone, TLS roots.</summary>
    public static IReadOnlyList<string> BasicVariables { get; } =
        ["PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR"];

    /// <summary>The configuration the worker's composition (<c>AddVideoCore</c> and its host) reads, as <c>Section:Key</c> prefixes.</summary>
    public static IReadOnlyList<string> WorkerSections { get; } =
        ["ConnectionStrings:Postgres", "Storage", "Worker", "Transcoding", "Jobs", "Upload", "Uploads", "Recovery", "Logging"];

    /// <summary>Keys inside <see cref="WorkerSections"/> the worker never uses: it writes storage directly and signs no URL.</summary>
    public static IReadOnlyList<string> WithheldKeys { get; } = ["Storage:Local:SigningKey"];

    /// <summary>Whether a variable of the API's environment passes to the worker.</summary>
    public static bool Passes(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (BasicVariables.Contains(name, StringComparer.Ordinal)
            || name.StartsWith("LC_", StringComparison.Ordinal)
            || name.StartsWith("DOTNET_", StringComparison.Ordinal))
        {
            return true;
        }

        // As .NET's environment provider reads it: "__" is ':', and keys are case-insensitive.
        var key = name.Replace("__", ":", StringComparison.Ordinal);
        return WorkerSections.Any(section => key.Equals(section, StringComparison.OrdinalIgnoreCase)
                || key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
            && !WithheldKeys.Any(withheld => key.Equals(withheld, StringComparison.OrdinalIgnoreCase)
                || key.StartsWith(withheld + ":", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The worker's whole environment: the passing part of <paramref name="inherited"/>, then <paramref name="configured"/>, then <paramref name="perAttempt"/>.</summary>
    public static Dictionary<string, string> Build(
        IEnumerable<KeyValuePair<string, string>> inherited,
        IEnumerable<KeyValuePair<string, string>> configured,
        IEnumerable<KeyValuePair<string, string>> perAttempt)
    {
        ArgumentNullException.ThrowIfNull(inherited);
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(perAttempt);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in inherited.Where(variable => Passes(variable.Key)))
        {
            environment[name] = value;
        }

        foreach (var (name, value) in configured.Concat(perAttempt))
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>This process's environment variables.</summary>
    public static IReadOnlyDictionary<string, string> Current()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            variables[(string)variable.Key] = variable.Value as string ?? string.Empty;
        }

        return variables;
    }
}

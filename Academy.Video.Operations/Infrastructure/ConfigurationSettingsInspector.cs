using System.Collections;
using System.Globalization;
using System.Reflection;
using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Runners.Local;
using Academy.Video.Infrastructure.Settings;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Application.CheckSettings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Academy.Video.Operations.Infrastructure;

/// <summary>
/// The settings of the API and the worker, each with its effective value (secrets masked) and the
/// configuration source it came from; the problems are the options validation the API runs at start
/// (<see cref="IStartupValidator"/>) plus what only a look at the machine shows (the worker command, ffmpeg).
/// </summary>
public sealed class ConfigurationSettingsInspector(IConfiguration configuration, IServiceProvider services, RuntimeProfile profile) : ISettingsInspector
{
    private const string Masked = "****";

    public IReadOnlyList<SettingEntry> ListSettings()
    {
        var entries = new List<SettingEntry>
        {
            Entry(LocalMode.Key, "", value => value.Length > 0 ? value : "(unset: not local mode)"),
            // Unset, the value shown is no fallback: only local mode (LocalMode=true) uses the development database (the problems say so otherwise).
            configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName) is null
                ? new SettingEntry("ConnectionStrings:Postgres", "(not set: local mode uses build/postgres.sh's database)", "default")
                : Entry("ConnectionStrings:Postgres", "", MaskConnectionString),
            Entry(StorageServiceCollectionExtensions.ProviderKey, StorageServiceCollectionExtensions.LocalProvider),
            Entry(RunnerServiceCollectionExtensions.KindKey, "Local"),
            Entry("Recovery:RunInApi", "True"),
        };

        if (profile.OnAws)
        {
            entries.Add(AwsCredentials());
        }

        // Every section the host registered (AddSettings), its keys and defaults read off the options type.
        var catalog = services.GetRequiredService<SettingsCatalog>();
        foreach (var section in catalog.Sections)
        {
            entries.AddRange(Walk(section.Section, section.OptionsType, Defaults(section.OptionsType)));
        }

        return entries;
    }

    /// <summary>What some keys mean when unset or how they are best shown; every other key shows its value as it is.</summary>
    private SettingEntry? Special(string key, PropertyInfo property, object? defaultValue)
    {
        switch (key)
        {
            case "Storage:Local:RootPath" or "Runner:Local:LogDirectory":
                return Entry(key, Text(defaultValue), FullPath);
            case "Storage:Local:SigningKey":
                return Entry(key, Text(defaultValue), k => k == LocalStorageOptions.DevelopmentSigningKey ? $"{Masked} (the built-in development key)" : MaskSecret(k));
            case "Playback:SigningKey":
                return Entry(key, "", k => k.Length == 0 ? "(empty: local storage's signing key)" : MaskSecret(k));
            case "Playback:ApiBaseUrl":
                return Entry(key, "", url => url.Length == 0 ? "(empty: local storage's public base URL)" : url);
            case "Transcoding:FFmpegDirectory":
                return Entry(key, "", directory => directory.Length == 0 ? "(ffmpeg and ffprobe from PATH)" : directory);
            case WebhookOptions.AllowPrivateTargetsKey:
                return Entry(key, "", value => value.Length > 0 ? value : $"(unset: {EffectivePrivateTargets()})");
            case "RateLimits:Window":
                return Entry(key, Text(defaultValue), window => window is "0" or "00:00:00" ? $"{window} (limits off)" : window);
            case "Runner:Batch:JobQueue":
                return Override(key, BatchRunnerOptions.JobQueueVariable, services.GetRequiredService<IOptions<BatchRunnerOptions>>().Value.JobQueue);
            case "Runner:Batch:JobDefinition":
                return Override(key, BatchRunnerOptions.JobDefinitionVariable, services.GetRequiredService<IOptions<BatchRunnerOptions>>().Value.JobDefinition);
            case "Worker:Rungs" when !configuration.GetSection(key).GetChildren().Any():
                return new SettingEntry(key, $"{string.Join(", ", new WorkerOptions().EffectiveRungs.Select(r => r.Name))} (built in)", "default");
            case "Runner:Batch:ServiceUrl":
                return Entry(key, services.GetRequiredService<IOptions<BatchRunnerOptions>>().Value.ResolveEndpoint().ToString());
            default:
                return property.GetCustomAttribute<SecretAttribute>() is { } secret && SettingsShape.IsScalar(property.PropertyType)
                    ? Entry(key, Text(defaultValue), secret.Identifiable ? MaskKey : MaskSecret)
                    : null;
        }
    }

    private IEnumerable<SettingEntry> Walk(string prefix, Type type, object? defaults)
    {
        foreach (var property in SettingsShape.Properties(type))
        {
            var key = $"{prefix}:{property.Name}";
            var defaultValue = defaults is null ? null : property.GetValue(defaults);
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (Special(key, property, defaultValue) is { } special)
            {
                yield return special;
            }
            else if (SettingsShape.IsScalar(propertyType))
            {
                yield return Entry(key, Text(defaultValue));
            }
            else if (SettingsShape.DictionaryValue(propertyType) is not null || SettingsShape.Element(propertyType) is not null)
            {
                yield return Collection(key, property, propertyType, defaultValue);
            }
            else
            {
                foreach (var nested in Walk(key, propertyType, defaultValue))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>A collection in one line: a dictionary by its keys, a list of values by its values (masked if secret), a list of objects by each one's first property.</summary>
    private SettingEntry Collection(string key, PropertyInfo property, Type type, object? defaultValue)
    {
        var secret = property.GetCustomAttribute<SecretAttribute>();
        var children = configuration.GetSection(key).GetChildren().ToList();
        var element = SettingsShape.Element(type);
        var name = element is null || SettingsShape.IsScalar(element) ? null : SettingsShape.Properties(element).FirstOrDefault()?.Name;
        if (children.Count > 0)
        {
            var items = SettingsShape.DictionaryValue(type) is not null
                ? children.Select(c => c.Key)
                : name is not null
                    ? children.Select(c => c[name] ?? $"#{c.Key} without a {name}")
                    : children.Select(c => c.Value ?? "").Where(v => v.Length > 0).Select(v => secret is null ? v : secret.Identifiable ? MaskKey(v) : MaskSecret(v));
            var shown = items.ToList();
            var text = secret is null ? string.Join(", ", shown) : string.Create(CultureInfo.InvariantCulture, $"{shown.Count} key(s): {string.Join(", ", shown)}");
            return new SettingEntry(key, shown.Count == 0 ? "(none)" : text, SourceOf(children[0].Path));
        }

        var defaults = defaultValue switch
        {
            IDictionary dictionary => dictionary.Keys.Cast<object>().Select(Text).ToList(),
            IEnumerable list when name is not null => list.Cast<object>().Select(item => Text(item.GetType().GetProperty(name)?.GetValue(item))).ToList(),
            IEnumerable list when secret is null => list.Cast<object>().Select(Text).ToList(),
            IEnumerable list => list.Cast<object>().Select(_ => Masked).ToList(),
            _ => [],
        };
        return new SettingEntry(key, defaults.Count == 0 ? "(none)" : $"{string.Join(", ", defaults)} (built in)", "default");
    }

    private static object? Defaults(Type type)
    {
        try
        {
            return Activator.CreateInstance(type);
        }
        catch (MissingMethodException)
        {
            return null;
        }
    }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (AggregateException ex)
        {
            problems.AddRange(ex.InnerExceptions.SelectMany(e => e is OptionsValidationException v ? v.Failures : [e.Message]));
        }

        var policy = services.GetRequiredService<JobPolicy>();
        var worker = services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        if (worker.HeartbeatInterval <= TimeSpan.Zero || worker.HeartbeatInterval * 2 > policy.StuckThreshold)
        {
            problems.Add($"Worker:HeartbeatInterval {Text(worker.HeartbeatInterval)} must be positive and at most half of Jobs:StuckThreshold {Text(policy.StuckThreshold)}, or the scan takes live workers for dead ones");
        }

        if (!profile.OnAws)
        {
            problems.AddRange(LocalWorkerProblems());
        }

        return problems;
    }

    public IReadOnlyDictionary<string, string> LocalWorkerEnvironment() =>
        new Dictionary<string, string>(
            WorkerEnvironment.Build(
                WorkerEnvironment.Current(),
                services.GetRequiredService<IOptions<LocalRunnerOptions>>().Value.Environment,
                []),
            StringComparer.OrdinalIgnoreCase);

    /// <summary>What the API made of an unset <c>Webhooks:AllowPrivateTargets</c>: it follows the declared local mode.</summary>
    private string EffectivePrivateTargets()
    {
        try
        {
            return services.GetRequiredService<IOptions<WebhookOptions>>().Value.PrivateTargetsAllowed
                ? "allowed: LocalMode=true"
                : "refused: LocalMode is not set";
        }
        catch (OptionsValidationException)
        {
            return "see the problems below";
        }
    }

    /// <summary>The child the local runner starts must exist: the command on PATH, a worker dll where the arguments say.</summary>
    private IEnumerable<string> LocalWorkerProblems()
    {
        LocalRunnerOptions local;
        try
        {
            local = services.GetRequiredService<IOptions<LocalRunnerOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            yield break; // reported by the validation above
        }

        var workingDirectory = string.IsNullOrWhiteSpace(local.WorkingDirectory) ? Directory.GetCurrentDirectory() : local.WorkingDirectory;
        if (FindExecutable(local.Command) is null)
        {
            yield return $"Runner:Local:Command '{local.Command}' is neither a file nor on PATH: the local runner cannot start the worker";
        }

        foreach (var argument in local.Arguments.Where(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)))
        {
            var path = Path.IsPathRooted(argument) ? argument : Path.Combine(workingDirectory, argument);
            if (!File.Exists(path))
            {
                yield return $"Runner:Local:Arguments names {argument}, which does not exist ({path}): build the worker (dotnet build Academy.Video.Worker -c Release)";
            }
        }

        if (local.Arguments.Count == 0 && local.Command == "dotnet")
        {
            yield return "Runner:Local:Arguments is empty: with Command=dotnet the first argument must be the worker's dll (Academy.Video.Worker.dll)";
        }

        var ffmpegDirectory = configuration["Transcoding:FFmpegDirectory"];
        foreach (var tool in new[] { "ffmpeg", "ffprobe" })
        {
            if (FindExecutable(string.IsNullOrWhiteSpace(ffmpegDirectory) ? tool : Path.Combine(ffmpegDirectory, tool)) is null)
            {
                yield return $"{tool} is not on PATH{(string.IsNullOrWhiteSpace(ffmpegDirectory) ? "" : $" nor in Transcoding:FFmpegDirectory {ffmpegDirectory}")}: the locally started worker cannot transcode (build/install-deps.sh installs it)";
            }
        }
    }

    private static string? FindExecutable(string command)
    {
        if (command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(command) ? command : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);
    }

    private SettingEntry Entry(string key, string defaultValue, Func<string, string>? display = null)
    {
        var value = configuration[key];
        var shown = value ?? defaultValue;
        return new SettingEntry(key, display is null ? shown : display(shown), value is null ? "default" : SourceOf(key));
    }

    /// <summary>A contract setting name (docs/contract.md §1) (VIDEO_BATCH_JOB_QUEUE) that wins over the section key.</summary>
    private SettingEntry Override(string key, string variable, string effective) =>
        configuration[variable] is { Length: > 0 }
            ? new SettingEntry(key, effective, $"{SourceOf(variable)} {variable}".Trim())
            : new SettingEntry(key, effective, configuration[key] is null ? "default" : SourceOf(key));

    private SettingEntry AwsCredentials()
    {
        if (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 } accessKey)
        {
            return new SettingEntry("AWS credentials", $"access key {MaskKey(accessKey)}", "environment AWS_ACCESS_KEY_ID");
        }

        return Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } name
            ? new SettingEntry("AWS credentials", $"profile {name}", "environment AWS_PROFILE")
            : new SettingEntry("AWS credentials", "the default chain (shared profile, container or instance role)", "default");
    }

    /// <summary>The configuration source that supplies <paramref name="key"/>: the last provider that has it wins.</summary>
    private string SourceOf(string key)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return "configuration";
        }

        foreach (var provider in root.Providers.Reverse())
        {
            if (provider.TryGet(key, out _))
            {
                return provider switch
                {
                    EnvironmentVariablesConfigurationProvider => $"environment {key.Replace(":", "__", StringComparison.Ordinal)}",
                    CommandLineConfigurationProvider => "command line",
                    JsonConfigurationProvider json => json.Source.Path ?? "json file",
                    _ => "host settings",
                };
            }
        }

        return "default";
    }

    /// <summary>A relative path with the folder it resolves to from here.</summary>
    private static string FullPath(string path) => Path.IsPathFullyQualified(path) ? path : $"{path} -> {Path.GetFullPath(path)}";

    private static string MaskConnectionString(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = Masked;
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparseable connection string)";
        }
    }

    private static string MaskSecret(string secret) => string.IsNullOrEmpty(secret) ? "(empty)" : Masked;

    /// <summary>Enough of a key to tell two apart, never enough to use it.</summary>
    private static string MaskKey(string key) => string.IsNullOrEmpty(key) ? "(empty)" : key.Length <= 8 ? Masked : key[..4] + Masked;

    private static string Text(object? value) => value switch
    {
        null => "",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

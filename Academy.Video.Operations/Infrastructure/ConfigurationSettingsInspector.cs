using System.Globalization;
using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Runners.Local;
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
        };

        if (profile.Storage.Equals(StorageServiceCollectionExtensions.S3Provider, StringComparison.OrdinalIgnoreCase))
        {
            var s3 = new S3StorageOptions();
            entries.Add(Entry("Storage:S3:ServiceUrl", s3.ServiceUrl));
            entries.Add(Entry("Storage:S3:Bucket", s3.Bucket));
            entries.Add(Entry("Storage:S3:AccessKey", s3.AccessKey, MaskKey));
            entries.Add(Entry("Storage:S3:SecretKey", s3.SecretKey, MaskSecret));
            entries.Add(Entry("Storage:S3:Region", s3.Region));
            entries.Add(Entry("Storage:S3:PublicBaseUrl", s3.PublicBaseUrl ?? ""));
        }
        else
        {
            var local = new LocalStorageOptions();
            entries.Add(Entry("Storage:Local:RootPath", local.RootPath, FullPath));
            entries.Add(Entry("Storage:Local:PublicBaseUrl", local.PublicBaseUrl));
            entries.Add(Entry("Storage:Local:SigningKey", local.SigningKey,
                key => key == LocalStorageOptions.DevelopmentSigningKey ? $"{Masked} (the built-in development key)" : MaskSecret(key)));
        }

        entries.Add(Entry(RunnerServiceCollectionExtensions.KindKey, "Local"));
        if (profile.OnAws)
        {
            var batch = services.GetRequiredService<IOptions<BatchRunnerOptions>>().Value;
            entries.Add(Override("Runner:Batch:JobQueue", BatchRunnerOptions.JobQueueVariable, batch.JobQueue));
            entries.Add(Override("Runner:Batch:JobDefinition", BatchRunnerOptions.JobDefinitionVariable, batch.JobDefinition));
            entries.Add(Entry("Runner:Batch:Region", batch.Region));
            entries.Add(Entry("Runner:Batch:ServiceUrl", batch.ResolveEndpoint().ToString()));
            entries.Add(AwsCredentials());
        }
        else
        {
            var local = new LocalRunnerOptions();
            entries.Add(Entry("Runner:Local:Command", local.Command));
            entries.Add(List("Runner:Local:Arguments", configuration.GetSection("Runner:Local:Arguments").GetChildren().Select(c => c.Value ?? "")));
            entries.Add(Entry("Runner:Local:WorkingDirectory", ""));
            entries.Add(Entry("Runner:Local:LogDirectory", local.LogDirectory, FullPath));
            entries.Add(Entry("Runner:Local:MaxConcurrency", Text(local.MaxConcurrency)));
            entries.Add(Entry("Runner:Local:Timeout", Text(local.Timeout)));
            entries.Add(List("Runner:Local:Environment", configuration.GetSection("Runner:Local:Environment").GetChildren().Select(c => c.Key)));
        }

        var jobs = JobPolicy.Default;
        entries.Add(Entry("Jobs:MaxAttempts", Text(jobs.MaxAttempts)));
        entries.Add(Entry("Jobs:MaxHostTerminations", Text(jobs.MaxHostTerminations)));
        entries.Add(Entry("Jobs:StuckThreshold", Text(jobs.StuckThreshold)));
        entries.Add(Entry("Jobs:SubmitGracePeriod", Text(jobs.SubmitGracePeriod)));
        entries.Add(Entry("Jobs:SubmissionCheckAfter", Text(jobs.SubmissionCheckAfter)));
        entries.Add(Entry("Jobs:RetryBackoffBase", Text(jobs.RetryBackoffBase)));
        entries.Add(Entry("Jobs:RetryBackoffCap", Text(jobs.RetryBackoffCap)));

        var worker = new WorkerOptions();
        entries.Add(Entry("Worker:HeartbeatInterval", Text(worker.HeartbeatInterval)));
        entries.Add(Entry("Worker:SegmentDuration", Text(worker.SegmentDuration)));
        entries.Add(Entry("Worker:UploadParallelism", Text(worker.UploadParallelism)));
        entries.Add(Entry("Worker:ProgressInterval", Text(worker.ProgressInterval)));
        entries.Add(Entry("Worker:WorkDirectory", worker.WorkDirectory));
        entries.Add(List("Worker:Rungs", configuration.GetSection("Worker:Rungs").GetChildren().Select(r => r["Name"] ?? r.Key), "1080p, 720p, 480p, 360p (built in)"));
        entries.Add(Entry("Transcoding:Preset", "veryfast"));
        entries.Add(Entry("Transcoding:FFmpegDirectory", "", directory => directory.Length == 0 ? "(ffmpeg and ffprobe from PATH)" : directory));

        var recovery = new RecoveryOptions();
        entries.Add(Entry("Recovery:RunInApi", "True"));
        entries.Add(Entry("Recovery:Interval", Text(recovery.Interval)));
        entries.Add(Entry("Recovery:CleanupInterval", Text(recovery.CleanupInterval)));
        entries.Add(Entry("Recovery:BatchSize", Text(recovery.BatchSize)));

        var uploads = new UploadOptions();
        entries.Add(Entry("Upload:MultipartThreshold", Text(uploads.MultipartThreshold)));
        entries.Add(Entry("Upload:MaxBytes", Text(uploads.MaxBytes)));
        entries.Add(Entry("Upload:Expiry", Text(uploads.Expiry)));
        entries.Add(Entry("Upload:ExpiryScanInterval", Text(uploads.ExpiryScanInterval)));

        var playback = new PlaybackOptions();
        entries.Add(Entry("Playback:Mode", playback.Mode.ToString()));
        entries.Add(Entry("Playback:UrlValidFor", Text(playback.UrlValidFor)));
        entries.Add(Entry("Playback:SigningKey", "", key => key.Length == 0 ? "(empty: local storage's signing key)" : MaskSecret(key)));
        entries.Add(Entry("Playback:ApiBaseUrl", "", url => url.Length == 0 ? "(empty: local storage's public base URL)" : url));

        var webhooks = new WebhookOptions();
        entries.Add(List("Webhooks:Endpoints", configuration.GetSection("Webhooks:Endpoints").GetChildren().Select(e => e["Url"] ?? $"#{e.Key} without a Url")));
        entries.Add(Entry(WebhookOptions.AllowPrivateTargetsKey, "", value => value.Length > 0 ? value : $"(unset: {EffectivePrivateTargets()})"));
        entries.Add(Entry("Webhooks:PollInterval", Text(webhooks.PollInterval)));
        entries.Add(Entry("Webhooks:RequestTimeout", Text(webhooks.RequestTimeout)));
        entries.Add(Entry("Webhooks:MaxAttempts", Text(webhooks.MaxAttempts)));
        entries.Add(Entry("Webhooks:RetryBaseDelay", Text(webhooks.RetryBaseDelay)));
        entries.Add(Entry("Webhooks:RetryMaxDelay", Text(webhooks.RetryMaxDelay)));
        entries.Add(Entry("Webhooks:ResponseExcerptBytes", Text(webhooks.ResponseExcerptBytes)));
        entries.Add(Entry("Webhooks:MaxConcurrency", Text(webhooks.MaxConcurrency)));
        entries.Add(Entry("Webhooks:Retention", Text(webhooks.Retention)));
        entries.Add(Entry("Webhooks:PruneInterval", Text(webhooks.PruneInterval)));
        // The API's own section (docs/api.md, rate limits); its defaults here are the API's.
        entries.Add(Entry("RateLimits:CreatesPerWindow", "60"));
        entries.Add(Entry("RateLimits:UploadsPerWindow", "300"));
        entries.Add(Entry("RateLimits:Window", "00:01:00", window => window is "0" or "00:00:00" ? $"{window} (limits off)" : window));
        entries.Add(Keys("Auth:ApiKeys"));
        entries.Add(Keys("Auth:InternalApiKeys"));
        return entries;
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

    private SettingEntry List(string key, IEnumerable<string> values, string whenEmpty = "(none)")
    {
        var items = values.ToList();
        return new SettingEntry(key, items.Count == 0 ? whenEmpty : string.Join(", ", items),
            items.Count == 0 ? "default" : SourceOf(configuration.GetSection(key).GetChildren().First().Path));
    }

    private SettingEntry Keys(string key)
    {
        var keys = configuration.GetSection(key).GetChildren().Select(c => c.Value ?? "").Where(k => k.Length > 0).ToList();
        return keys.Count == 0
            ? new SettingEntry(key, "(none)", "default")
            : new SettingEntry(key, string.Create(CultureInfo.InvariantCulture, $"{keys.Count} key(s): {string.Join(", ", keys.Select(MaskKey))}"),
                SourceOf(configuration.GetSection(key).GetChildren().First().Path));
    }

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

    private static string Text(object value) => value switch
    {
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

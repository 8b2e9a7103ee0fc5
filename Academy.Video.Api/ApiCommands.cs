using Academy.Video.Api.Operations;
using Academy.Video.Application.Common;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Webhooks;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Application.CheckSettings;
using Academy.Video.Operations.Application.DiagnoseInfra;
using Academy.Video.Operations.Application.ValidateSystem;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api;

/// <summary>
/// The operator commands the API binary runs instead of serving (the earlier system's names kept, docs/contract.md §4), with the API's own
/// settings. Exit codes: 0 everything checked is OK; 2 something needs attention, a setting among it
/// (missing or invalid: one FAIL line naming it); 1 a usage error (an unknown verb or option); 3 the
/// database cannot be reached (nothing could be checked; see docs/decisions/0009). Every command ends
/// within <see cref="OperationsOptions.CommandTimeout"/> (migrate: <see cref="OperationsOptions.MigrateTimeout"/>).
/// Outside local mode nothing falls back to a development default: the settings
/// <see cref="MissingOutsideLocalMode"/> names must be set.
/// </summary>
public static class ApiCommands
{
    public const int Ok = 0;
    public const int UsageError = 1;
    public const int NeedsAttention = 2;
    public const int DatabaseUnavailable = 3;

    /// <summary>Shows Debug logs, the stack traces of the failures the report gives in one line among them.</summary>
    public const string Verbose = "--verbose";

    private static readonly Dictionary<string, string[]> Verbs = new(StringComparer.Ordinal)
    {
        ["migrate"] = [Verbose],
        ["scan-stuck-jobs"] = ["--dry-run", Verbose],
        ["scan_stuck_video_jobs"] = ["--dry-run", Verbose],
        ["check-settings"] = ["--json", Verbose],
        ["check_batch_settings"] = ["--json", Verbose],
        ["validate-system"] = ["--json", Verbose],
        ["validate_batch_video_system"] = ["--json", Verbose],
        ["diagnose-infra"] = ["--json", "--smoke-submit", Verbose],
    };

    public static string? Find(string[] args) =>
        args is [var first, ..] && !first.StartsWith('-') && !first.Contains('=') ? first : null;

    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
        await app.ReencryptWebhookSecretsAsync(app.Lifetime.ApplicationStopping);
    }

    /// <summary>
    /// Brings every stored webhook secret under the current key (decision 0014): rows written before encryption and
    /// rows under an earlier key. At every start and in <c>migrate</c>, so a rotation completes with a restart.
    /// </summary>
    public static async Task<SecretReencryption> ReencryptWebhookSecretsAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var result = await app.Services.GetRequiredService<PostgresWebhookEndpointStore>().ReencryptSecretsAsync(cancellationToken);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Academy.Video.Api.WebhookSecrets");
        if (result.Unreadable > 0)
        {
            logger.LogError("{Unreadable} of {Rows} stored webhook secrets are under a key that neither {Key} nor {OldKeys} holds; their deliveries fail until it is configured again",
                result.Unreadable, result.Rows, WebhookSecretEncryptionOptions.KeySetting, WebhookSecretEncryptionOptions.OldKeysSetting);
        }
        else if (result.Reencrypted > 0)
        {
            logger.LogInformation("{Reencrypted} stored webhook secrets re-encrypted under key {KeyId}", result.Reencrypted, result.CurrentKeyId);
        }

        return result;
    }

    /// <summary>
    /// The settings that have a development default but must be set outside local mode (declared with
    /// <c>LocalMode=true</c>, docs/configuration.md):
    /// the database (the default is <c>build/postgres.sh</c>'s server), the runner, and in Batch mode its region.
    /// Empty in local mode. The storage settings and the API keys have no defaults at all: their validation names them.
    /// </summary>
    public static IReadOnlyList<string> MissingOutsideLocalMode(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var runner = configuration[RunnerServiceCollectionExtensions.KindKey];
        var batch = string.Equals(runner, "Batch", StringComparison.OrdinalIgnoreCase);
        if (LocalMode.IsOn(configuration) && !batch)
        {
            return [];
        }

        var why = batch ? "Runner:Kind is Batch" : "LocalMode is not set, so this API is not in local mode";
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName)))
        {
            missing.Add($"ConnectionStrings:Postgres is not set ({why}, so there is no default database): set ConnectionStrings__Postgres to the production database");
        }

        if (string.IsNullOrWhiteSpace(runner))
        {
            missing.Add($"{RunnerServiceCollectionExtensions.KindKey} is not set ({why}, so the local process runner is no default): set Runner__Kind to Batch or Local");
        }

        if (batch && string.IsNullOrWhiteSpace(configuration[$"{BatchRunnerOptions.SectionName}:{nameof(BatchRunnerOptions.Region)}"]))
        {
            missing.Add("Runner:Batch:Region is not set (Runner:Kind is Batch): set Runner__Batch__Region to the region of the Batch queue");
        }

        return missing;
    }

    /// <summary>
    /// Builds the host with the API's settings (appsettings, environment, <c>--Key=value</c> among
    /// <paramref name="arguments"/>) and runs one verb. Nothing escapes as a stack trace: a settings
    /// error, an unreachable database, a refused usage and a command past its time each end in one line
    /// (the trace is logged at Debug, shown with <c>--verbose</c>).
    /// </summary>
    /// <param name="configure">Lets tests add settings and services before the API registers its own (registrations read the settings).</param>
    public static async Task<int> RunAsync(string command, string[] arguments, TextWriter output, TextWriter error, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var flags = arguments.Where(a => !a.Contains('=', StringComparison.Ordinal)).ToList();
        if (!Verbs.TryGetValue(command, out var allowed))
        {
            await error.WriteLineAsync($"Unknown command '{command}'. Commands: {Usage()}; with none, the API serves HTTP.");
            return UsageError;
        }

        if (flags.FirstOrDefault(f => !allowed.Contains(f, StringComparer.Ordinal)) is { } unknown)
        {
            await error.WriteLineAsync($"{command}: unknown option '{unknown}'. Usage: {command} {string.Join(" ", allowed.Select(a => $"[{a}]"))} [--Section:Key=value ...]");
            return UsageError;
        }

        var json = flags.Contains("--json");
        WebApplication app;
        IReadOnlyList<string> missing;
        SettingsKeys keys;
        try
        {
            var builder = WebApplication.CreateBuilder(arguments.Where(a => a.Contains('=', StringComparison.Ordinal)).ToArray());
            // The report is the output; warnings (a refused submission, a retried AWS call) go to stderr on one line each.
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(flags.Contains(Verbose) ? LogLevel.Debug : LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft", LogLevel.Error);
            builder.Logging.AddFilter("System", LogLevel.Error);
            configure?.Invoke(builder);
            missing = MissingOutsideLocalMode(builder.Configuration);
            if (command == "migrate" && missing.Count == 0
                && string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName)))
            {
                // Even in local mode: migrate changes a schema, so it changes only the database it is told to.
                missing = ["ConnectionStrings:Postgres is not set: migrate changes only a database it is given (set ConnectionStrings__Postgres; build/ops.sh sets the local one)"];
            }

            // check-settings lists the settings with what is missing; every other command stops here.
            if (missing.Count > 0 && command is not ("check-settings" or "check_batch_settings"))
            {
                await WriteFailuresAsync(command, missing, json, output, error);
                return NeedsAttention;
            }

            builder.AddVideoApi();
            keys = SettingsKeys.FromServices(builder.Services);
            app = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or FormatException)
        {
            await WriteFailuresAsync(command, Failures(ex), json, output, error);
            return NeedsAttention;
        }

        await using (app)
        {
            var options = app.Services.GetRequiredService<IOptions<OperationsOptions>>().Value;
            var bound = command == "migrate" ? options.MigrateTimeout
                : flags.Contains("--smoke-submit") ? options.CanaryTimeout + options.CommandTimeout
                : options.CommandTimeout;
            using var deadline = new CancellationTokenSource(bound);
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiCommands));
            try
            {
                // WaitAsync holds the bound even where a call ignores the token.
                return await RunCommandAsync(app, command, flags, output, missing, keys, deadline.Token).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                var setting = command == "migrate" ? "Operations:MigrateTimeout" : "Operations:CommandTimeout";
                await WriteFailuresAsync(command, [$"did not finish within {bound:c} ({setting}; a call that hangs is the usual cause: run with {Verbose} to see which)"], json, output, error);
                return NeedsAttention;
            }
            catch (OptionsValidationException ex)
            {
                await WriteFailuresAsync(command, ex.Failures, json, output, error);
                return NeedsAttention;
            }
            catch (DependencyUnavailableException ex)
            {
                await WriteUnavailableAsync(command, ex.Message, json, output, error);
                return DatabaseUnavailable;
            }
            catch (Exception ex) when (DatabaseFailure.IsUnavailable(ex))
            {
                var connectionString = app.Configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName)
                    ?? PersistenceServiceCollectionExtensions.DefaultConnectionString;
                await WriteUnavailableAsync(command, $"the database is unreachable: {DatabaseFailure.Describe(ex, connectionString)}", json, output, error);
                return DatabaseUnavailable;
            }
            catch (Exception ex)
            {
                // The last word on anything else: one line for the operator, the trace at Debug.
                LogFailure(logger, command, ex);
                await WriteFailuresAsync(command, [$"{ex.GetType().Name}: {ex.Message}"], json, output, error);
                return NeedsAttention;
            }
        }
    }

    public static async Task<int> RunCommandAsync(
        this WebApplication app, string command, IReadOnlyCollection<string> flags, TextWriter output,
        IReadOnlyList<string>? missing = null, SettingsKeys? keys = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(output);
        var json = flags.Contains("--json");
        await using var scope = app.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        switch (command)
        {
            case "migrate":
                var applied = await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
                await output.WriteLineAsync($"migrate: the database schema is up to date ({(applied.Count == 0 ? "nothing to apply" : $"applied {string.Join(", ", applied)}")}).");
                var secrets = await app.ReencryptWebhookSecretsAsync(cancellationToken);
                await output.WriteLineAsync($"migrate: webhook secrets under key {secrets.CurrentKeyId}: {secrets.Rows - secrets.Unreadable} of {secrets.Rows} " +
                    $"({secrets.Reencrypted} re-encrypted now, {secrets.Unreadable} under a key no longer configured).");
                return secrets.Unreadable == 0 ? Ok : NeedsAttention;

            case "scan-stuck-jobs" or "scan_stuck_video_jobs":
                var dryRun = flags.Contains("--dry-run");
                var report = await OperatorScan.RunAsync(mediator, dryRun, cancellationToken);
                await output.WriteLineAsync($"scan-stuck-jobs{(dryRun ? " (dry run: nothing changed)" : "")} at {report.At:O}: {report.Entries.Count} job(s) need action");
                foreach (var entry in report.Entries)
                {
                    await output.WriteLineAsync($"  {entry.JobId} {entry.State} attempt {entry.Attempt}: {entry.Action} ({entry.Reason}) -> {entry.Result}");
                }

                await output.WriteLineAsync($"scan-stuck-jobs{(dryRun ? " (dry run: nothing changed)" : "")}: {report.Chunks.Count} chunk(s) need action");
                foreach (var entry in report.Chunks)
                {
                    await output.WriteLineAsync($"  {entry.JobId} chunk {entry.Chunk} {entry.State} chunk attempt {entry.ChunkAttempt}: {entry.Action} ({entry.Reason}) -> {entry.Result}");
                }

                return Ok;

            case "check-settings" or "check_batch_settings":
                var settings = await scope.ServiceProvider.GetRequiredService<CheckSettingsHandler>().Handle(new CheckSettingsQuery(), cancellationToken);
                missing ??= [];
                settings = settings with { Problems = [.. missing, .. settings.Problems] };
                var warnings = keys?.Unknown(app.Configuration) ?? [];
                // Without a connection string there is no database to probe: the default is not this server's.
                var database = missing.Any(m => m.StartsWith("ConnectionStrings:", StringComparison.Ordinal))
                    ? new DatabaseStatus(false, "not probed: ConnectionStrings:Postgres is not set", "(not set)", [], 0)
                    : await scope.ServiceProvider.GetRequiredService<IOperationsStore>().ProbeAsync(cancellationToken);
                if (json)
                {
                    OperationsOutput.WriteJson(output, new { command = "check-settings", status = settings.Ok ? "OK" : "FAIL", settings.Settings, settings.Worker, settings.Problems, warnings, database });
                }
                else
                {
                    OperationsOutput.WriteText(output, settings, database, warnings);
                }

                return !settings.Ok ? NeedsAttention : database.Reachable ? Ok : DatabaseUnavailable;

            default:
                var operations = command == DiagnoseInfraHandler.Command
                    ? await scope.ServiceProvider.GetRequiredService<DiagnoseInfraHandler>().Handle(new DiagnoseInfraCommand(flags.Contains("--smoke-submit")), cancellationToken)
                    : await scope.ServiceProvider.GetRequiredService<ValidateSystemHandler>().Handle(new ValidateSystemQuery(), cancellationToken);
                if (json)
                {
                    OperationsOutput.WriteJson(output, operations);
                }
                else
                {
                    OperationsOutput.WriteText(output, operations);
                }

                return operations.SystemStatus == OperationsReport.Healthy ? Ok : NeedsAttention;
        }
    }

    private static async Task WriteUnavailableAsync(string command, string message, bool json, TextWriter output, TextWriter error)
    {
        if (json)
        {
            OperationsOutput.WriteJson(output, new { command, status = DependencyUnavailableException.DatabaseUnavailable, error = message });
        }
        else
        {
            await error.WriteLineAsync($"{command}: {DependencyUnavailableException.DatabaseUnavailable}: {OneLine(message)}");
        }
    }

    /// <summary>One <c>verb: FAIL …</c> line per problem on stderr, or with <c>--json</c> one document on stdout.</summary>
    private static async Task WriteFailuresAsync(string command, IEnumerable<string> problems, bool json, TextWriter output, TextWriter error)
    {
        var lines = problems.Select(OneLine).ToList();
        if (json)
        {
            OperationsOutput.WriteJson(output, new { command, status = "FAIL", problems = lines });
            return;
        }

        foreach (var line in lines)
        {
            await error.WriteLineAsync($"{command}: FAIL {line}");
        }
    }

    private static IEnumerable<string> Failures(Exception ex) => ex switch
    {
        OptionsValidationException validation => validation.Failures,
        _ => [ex.Message],
    };

    private static void LogFailure(ILogger logger, string command, Exception ex) =>
        logger.LogDebug(ex, "{Command} failed", command);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Usage() =>
        "migrate, scan-stuck-jobs [--dry-run], check-settings [--json], validate-system [--json], diagnose-infra [--json] [--smoke-submit]";
}

using Academy.Video.Api.Operations;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Application.CheckSettings;
using Academy.Video.Operations.Application.DiagnoseInfra;
using Academy.Video.Operations.Application.ValidateSystem;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api;

/// <summary>
/// The operator commands the API binary runs instead of serving (seed names kept), with the API's own
/// settings. Exit codes: 0 everything checked is OK; 2 something needs attention; 1 a usage or settings
/// error; 3 the database cannot be reached (nothing could be checked; see docs/decisions).
/// </summary>
public static class ApiCommands
{
    public const int Ok = 0;
    public const int SettingsError = 1;
    public const int NeedsAttention = 2;
    public const int DatabaseUnavailable = 3;

    private static readonly Dictionary<string, string[]> Verbs = new(StringComparer.Ordinal)
    {
        ["migrate"] = [],
        ["scan-stuck-jobs"] = ["--dry-run"],
        ["scan_stuck_video_jobs"] = ["--dry-run"],
        ["check-settings"] = ["--json"],
        ["check_batch_settings"] = ["--json"],
        ["validate-system"] = ["--json"],
        ["validate_batch_video_system"] = ["--json"],
        ["diagnose-infra"] = ["--json", "--smoke-submit"],
    };

    public static string? Find(string[] args) =>
        args is [var first, ..] && !first.StartsWith('-') && !first.Contains('=') ? first : null;

    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
    }

    /// <summary>
    /// Builds the host with the API's settings (appsettings, environment, <c>--Key=value</c> among
    /// <paramref name="arguments"/>) and runs one verb. Nothing escapes as a stack trace: a settings
    /// error, an unreachable database and a refused usage each end in one line.
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
            return SettingsError;
        }

        if (flags.FirstOrDefault(f => !allowed.Contains(f, StringComparer.Ordinal)) is { } unknown)
        {
            await error.WriteLineAsync($"{command}: unknown option '{unknown}'. Usage: {command} {string.Join(" ", allowed.Select(a => $"[{a}]"))} [--Section:Key=value ...]");
            return SettingsError;
        }

        WebApplication app;
        try
        {
            var builder = WebApplication.CreateBuilder(arguments.Where(a => a.Contains('=', StringComparison.Ordinal)).ToArray());
            // The report is the output; warnings (a refused submission, a retried AWS call) go to stderr on one line each.
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft", LogLevel.Error);
            builder.Logging.AddFilter("System", LogLevel.Error);
            configure?.Invoke(builder);
            builder.AddVideoApi();
            app = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or FormatException)
        {
            await error.WriteLineAsync($"{command}: settings error: {OneLine(ex.Message)}");
            return SettingsError;
        }

        await using (app)
        {
            var json = flags.Contains("--json");
            try
            {
                return await RunCommandAsync(app, command, flags, output);
            }
            catch (OptionsValidationException ex)
            {
                await error.WriteLineAsync($"{command}: settings error: {OneLine(string.Join("; ", ex.Failures))}");
                return SettingsError;
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
        }
    }

    public static async Task<int> RunCommandAsync(this WebApplication app, string command, IReadOnlyCollection<string> flags, TextWriter output)
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
                var applied = await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
                await output.WriteLineAsync($"migrate: the database schema is up to date ({(applied.Count == 0 ? "nothing to apply" : $"applied {string.Join(", ", applied)}")}).");
                return Ok;

            case "scan-stuck-jobs" or "scan_stuck_video_jobs":
                var dryRun = flags.Contains("--dry-run");
                var report = await mediator.Send(new ScanStuckJobsCommand(dryRun));
                await output.WriteLineAsync($"scan-stuck-jobs{(dryRun ? " (dry run: nothing changed)" : "")} at {report.At:O}: {report.Entries.Count} job(s) need action");
                foreach (var entry in report.Entries)
                {
                    await output.WriteLineAsync($"  {entry.JobId} {entry.State} attempt {entry.Attempt}: {entry.Action} ({entry.Reason}) -> {entry.Result}");
                }

                return Ok;

            case "check-settings" or "check_batch_settings":
                var settings = await scope.ServiceProvider.GetRequiredService<CheckSettingsHandler>().Handle(new CheckSettingsQuery(), CancellationToken.None);
                var database = await scope.ServiceProvider.GetRequiredService<IOperationsStore>().ProbeAsync(app.Lifetime.ApplicationStopping);
                if (json)
                {
                    OperationsOutput.WriteJson(output, new { command = "check-settings", status = settings.Ok ? "OK" : "FAIL", settings.Settings, settings.Worker, settings.Problems, database });
                }
                else
                {
                    OperationsOutput.WriteText(output, settings, database);
                }

                return !settings.Ok ? SettingsError : database.Reachable ? Ok : DatabaseUnavailable;

            default:
                var operations = command == DiagnoseInfraHandler.Command
                    ? await scope.ServiceProvider.GetRequiredService<DiagnoseInfraHandler>().Handle(new DiagnoseInfraCommand(flags.Contains("--smoke-submit")), CancellationToken.None)
                    : await scope.ServiceProvider.GetRequiredService<ValidateSystemHandler>().Handle(new ValidateSystemQuery(), CancellationToken.None);
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

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Usage() =>
        "migrate, scan-stuck-jobs [--dry-run], check-settings [--json], validate-system [--json], diagnose-infra [--json] [--smoke-submit]";
}

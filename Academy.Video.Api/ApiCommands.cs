using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Infrastructure.Persistence;
using Mediator;

namespace Academy.Video.Api;

/// <summary>The operator commands the API binary runs instead of serving (seed names kept).</summary>
public static class ApiCommands
{
    private static readonly string[] Known = ["migrate", "scan-stuck-jobs", "scan_stuck_video_jobs"];

    public static string? Find(string[] args) =>
        args is [var first, ..] && !first.StartsWith('-') && !first.Contains('=') ? first : null;

    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
    }

    public static async Task<int> RunCommandAsync(this WebApplication app, string command, string[] options)
    {
        ArgumentNullException.ThrowIfNull(app);
        switch (command)
        {
            case "migrate":
                await app.MigrateDatabaseAsync();
                Console.WriteLine("migrate: the database schema is up to date.");
                return 0;

            case "scan-stuck-jobs" or "scan_stuck_video_jobs":
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    var dryRun = options.Contains("--dry-run");
                    var report = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ScanStuckJobsCommand(dryRun));
                    Console.WriteLine($"scan-stuck-jobs{(dryRun ? " (dry run: nothing changed)" : "")} at {report.At:O}: {report.Entries.Count} job(s) need action");
                    foreach (var entry in report.Entries)
                    {
                        Console.WriteLine($"  {entry.JobId} {entry.State} attempt {entry.Attempt}: {entry.Action} ({entry.Reason}) -> {entry.Result}");
                    }
                }

                return 0;

            default:
                await Console.Error.WriteLineAsync($"Unknown command '{command}'. Commands: {string.Join(", ", Known)}; with none, the API serves HTTP.");
                return 2;
        }
    }
}

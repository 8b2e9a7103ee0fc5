using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Application.CheckSettings;

namespace Academy.Video.Api.Operations;

/// <summary>
/// How the operator commands print: the earlier system's text reports (docs/contract.md §4: validate-system and
/// for diagnose-infra) or one JSON document (<c>--json</c>, and the health-summary endpoint).
/// </summary>
public static class OperationsOutput
{
    private const string Rule = "============================================================";

    /// <summary>The JSON of <c>--json</c> and of <c>GET /api/v1/internal/video/health-summary</c>: camelCase, statuses as OK/FAIL/SKIP.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Job rows in the text report look like the earlier system's (snake_case).</summary>
    private static JsonSerializerOptions EvidenceJson { get; } = new(JsonSerializerDefaults.General)
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteJson<T>(TextWriter output, T value)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(JsonSerializer.Serialize(value, Json));
    }

    public static void WriteText(TextWriter output, OperationsReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        output.WriteLine($"{report.Command} at {report.At:yyyy-MM-ddTHH:mm:ssZ} ({report.Mode} mode)");
        var diagnosis = report.Command == Academy.Video.Operations.Application.DiagnoseInfra.DiagnoseInfraHandler.Command;
        foreach (var step in report.Steps)
        {
            if (diagnosis)
            {
                output.WriteLine();
                output.WriteLine($"=== STEP {step.Number} {step.Title} ===");
                WriteJobs(output, step, prefix: null);
                foreach (var line in step.Lines)
                {
                    output.WriteLine(line);
                }
            }
            else
            {
                WriteJobs(output, step, prefix: $"STEP {step.Number} {step.Title}: ");
                foreach (var line in step.Lines)
                {
                    output.WriteLine($"STEP {step.Number} {line}");
                }
            }
        }

        output.WriteLine();
        output.WriteLine(diagnosis ? "========== FINAL REPORT ==========" : Rule);
        foreach (var check in report.Checks)
        {
            output.WriteLine($"{check.Name}: {Status(check.Status)} ({check.Detail})");
        }

        output.WriteLine($"SYSTEM_STATUS: {report.SystemStatus}");
        if (!diagnosis)
        {
            output.WriteLine(Rule);
        }

        output.WriteLine();
        var hints = report.RootCauseHints;
        output.WriteLine(hints.Count == 0 ? "ROOT_CAUSE_HINTS: none" : "ROOT_CAUSE_HINTS:");
        foreach (var hint in hints)
        {
            output.WriteLine($"- {hint}");
        }
    }

    /// <param name="warnings">Settings set but read by nothing (removed or misspelt): WARN lines, which do not fail the check.</param>
    public static void WriteText(TextWriter output, SettingsReport report, DatabaseStatus database, IReadOnlyList<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(database);
        foreach (var setting in report.Settings)
        {
            output.WriteLine($"{setting.Name}={setting.Value} ({setting.Source})");
        }

        output.WriteLine();
        foreach (var line in report.Worker)
        {
            output.WriteLine($"WORKER {line}");
        }

        output.WriteLine(database.Reachable
            ? $"DATABASE: OK ({database.Target}{(database.PendingMigrations.Count == 0 ? ", schema up to date" : $", {database.PendingMigrations.Count} migration(s) pending")})"
            : $"DATABASE: UNREACHABLE ({database.Cause})");
        output.WriteLine($"SETTINGS_CHECK: {(report.Ok ? "OK" : "FAIL")}");
        foreach (var problem in report.Problems)
        {
            output.WriteLine($"- {problem}");
        }

        foreach (var warning in warnings ?? [])
        {
            output.WriteLine($"WARN {warning}");
        }
    }

    public static string Status(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "OK",
        CheckStatus.Fail => "FAIL",
        _ => "SKIP",
    };

    /// <summary>The earlier system's row fields; the video status and the broken rule only where they say something.</summary>
    private static Dictionary<string, object?> Row(JobEvidence job)
    {
        var row = new Dictionary<string, object?>
        {
            ["id"] = job.Id,
            ["video_id"] = job.VideoId,
            ["state"] = job.State,
            ["aws_batch_job_id"] = job.AwsBatchJobId,
            ["attempt_count"] = job.AttemptCount,
            ["error_code"] = job.ErrorCode,
            ["error_message"] = job.ErrorMessage,
            ["heartbeat"] = job.Heartbeat,
            ["updated_at"] = job.UpdatedAt,
        };
        if (job.VideoStatus is not null)
        {
            row["video_status"] = job.VideoStatus;
        }

        if (job.Rule is not null)
        {
            row["rule"] = job.Rule;
        }

        return row;
    }

    private static void WriteJobs(TextWriter output, ReportStep step, string? prefix)
    {
        if (step.Jobs is not null)
        {
            output.WriteLine(prefix + JsonSerializer.Serialize(step.Jobs.Select(Row), EvidenceJson));
        }
    }
}

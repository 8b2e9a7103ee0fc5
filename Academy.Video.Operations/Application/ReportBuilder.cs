using System.Globalization;
using Academy.Video.Application.Common;

namespace Academy.Video.Operations.Application;

/// <summary>Collects the steps and check results of one report, in the order they ran.</summary>
public sealed class ReportBuilder(string command, RuntimeProfile profile, DateTimeOffset at)
{
    private readonly List<ReportStep> steps = [];
    private readonly List<CheckResult> checks = [];

    public RuntimeProfile Profile => profile;

    /// <summary>Adds a step; lines for the same step as the last one (number and title) are appended to it.</summary>
    public void Step(int number, string title, IReadOnlyList<string> lines, IReadOnlyList<JobEvidence>? jobs = null)
    {
        if (steps.Count > 0 && steps[^1] is var last && last.Number == number && last.Title == title && last.Jobs is null && jobs is null)
        {
            steps[^1] = last with { Lines = [.. last.Lines, .. lines] };
            return;
        }

        steps.Add(new ReportStep(number, title, lines, jobs));
    }

    /// <summary>Runs one check; a check that throws is that check's FAIL with the error's message, never the report's end.</summary>
    public async Task<CheckResult> CheckAsync(string name, Func<Task<CheckResult>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        CheckResult result;
        try
        {
            result = await run();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DependencyUnavailableException and not Microsoft.Extensions.Options.OptionsValidationException)
        {
            result = CheckResult.Fail(name, $"the check could not run: {ex.Message}", $"{name}: the check could not run ({ex.Message}); fix that first, then run it again.");
        }

        checks.Add(result);
        return result;
    }

    public CheckResult Add(CheckResult result)
    {
        checks.Add(result);
        return result;
    }

    public OperationsReport Build() => new(command, profile.ModeName, at, steps, checks);
}

internal static class Durations
{
    /// <summary>Whole seconds, <c>c</c> format: <c>00:05:12</c>, <c>1.02:00:00</c>.</summary>
    public static string Format(TimeSpan span) =>
        TimeSpan.FromSeconds(Math.Round(span.TotalSeconds)).ToString("c", CultureInfo.InvariantCulture);

    /// <summary>A window in hours: <c>24 h</c>.</summary>
    public static string Hours(TimeSpan span) =>
        string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} h");

    /// <summary>Seconds with one decimal, for the canary's timings: <c>12.3 s</c>.</summary>
    public static string Seconds(TimeSpan span) =>
        string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s");
}

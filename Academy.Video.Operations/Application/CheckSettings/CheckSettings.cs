using System.Globalization;
using System.Reflection;
using Academy.Video.Domain.Jobs;

namespace Academy.Video.Operations.Application.CheckSettings;

/// <summary>
/// check-settings (the earlier system's <c>check_batch_settings</c>): every setting the API and the worker need with
/// where it came from (secrets masked), what is missing or invalid, and whether the worker runs with
/// the same <c>Jobs:*</c> retry contract as the API (the Batch job definition's environment, or the
/// local runner's child environment).
/// </summary>
public sealed record CheckSettingsQuery;

/// <param name="Worker">One line per <c>Jobs:*</c> setting: the API's value, the worker's value and where that comes from.</param>
/// <param name="Problems">Each missing, invalid or disagreeing setting, named.</param>
public sealed record SettingsReport(IReadOnlyList<SettingEntry> Settings, IReadOnlyList<string> Worker, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <param name="Value">The effective value, masked when it is a secret.</param>
/// <param name="Source">Where it came from: <c>environment Runner__Kind</c>, <c>command line</c>, <c>appsettings.json</c>, <c>default</c>.</param>
public sealed record SettingEntry(string Name, string Value, string Source);

/// <summary>The hosts' configuration as the settings check reads it.</summary>
public interface ISettingsInspector
{
    IReadOnlyList<SettingEntry> ListSettings();

    /// <summary>What the options validation (the same rules the API applies at start) and the file checks refuse, one line each naming the setting.</summary>
    IReadOnlyList<string> Validate();

    /// <summary>The environment a locally started worker gets: what passes of this process's variables, with the runner's <c>Runner:Local:Environment</c> over them.</summary>
    IReadOnlyDictionary<string, string> LocalWorkerEnvironment();
}

public sealed class CheckSettingsHandler(ISettingsInspector inspector, JobPolicy policy, RuntimeProfile profile, ICloudInfrastructure cloud)
{
    public async ValueTask<SettingsReport> Handle(CheckSettingsQuery query, CancellationToken cancellationToken)
    {
        var problems = inspector.Validate().ToList();
        var worker = new List<string>();
        IReadOnlyDictionary<string, string>? environment;
        string source;
        if (profile.OnAws)
        {
            try
            {
                var definition = await cloud.FindJobDefinitionAsync(profile.JobDefinition ?? string.Empty, cancellationToken);
                environment = definition?.Environment;
                source = definition is null ? "no ACTIVE job definition" : string.Create(CultureInfo.InvariantCulture, $"job definition {definition.Name}:{definition.Revision} environment");
                if (definition is null)
                {
                    problems.Add($"Runner:Batch:JobDefinition: no ACTIVE job definition {profile.JobDefinition} in {profile.Region}, so the worker's Jobs:* settings cannot be compared");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                environment = null;
                source = "unreadable job definition";
                problems.Add($"Runner:Batch:JobDefinition: the job definition could not be read to compare the worker's Jobs:* settings: {ex.Message}");
            }
        }
        else
        {
            environment = inspector.LocalWorkerEnvironment();
            source = "local runner environment";
        }

        if (environment is not null)
        {
            Compare(environment, source, worker, problems);
        }

        return new SettingsReport(inspector.ListSettings(), worker, problems);
    }

    /// <summary>Every int and TimeSpan of <see cref="JobPolicy"/>: the worker binds the same section from its environment, or keeps the default.</summary>
    private void Compare(IReadOnlyDictionary<string, string> environment, string source, List<string> worker, List<string> problems)
    {
        var defaults = JobPolicy.Default;
        foreach (var property in typeof(JobPolicy).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.PropertyType == typeof(int) || p.PropertyType == typeof(TimeSpan)))
        {
            var setting = $"Jobs:{property.Name}";
            var api = Format(property.GetValue(policy)!);
            var raw = environment.FirstOrDefault(e =>
                e.Key.Equals($"Jobs__{property.Name}", StringComparison.OrdinalIgnoreCase) || e.Key.Equals(setting, StringComparison.OrdinalIgnoreCase)).Value;
            string workerValue;
            string from;
            if (raw is null)
            {
                workerValue = Format(property.GetValue(defaults)!);
                from = "default";
            }
            else if (TryParse(property.PropertyType, raw, out var parsed))
            {
                workerValue = Format(parsed);
                from = source;
            }
            else
            {
                problems.Add($"{setting}: the worker's value '{raw}' ({source}) is not a valid {property.PropertyType.Name}");
                continue;
            }

            var agree = api == workerValue;
            worker.Add($"{setting} API={api} worker={workerValue} ({from}) {(agree ? "MATCH" : "MISMATCH")}");
            if (!agree)
            {
                problems.Add($"{setting}: the API uses {api} but the worker {workerValue} ({from}); set Jobs__{property.Name} the same for both");
            }
        }
    }

    private static bool TryParse(Type type, string raw, out object value)
    {
        if (type == typeof(int) && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return true;
        }

        if (type == typeof(TimeSpan) && TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var span))
        {
            value = span;
            return true;
        }

        value = raw;
        return false;
    }

    private static string Format(object value) => value switch
    {
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}

using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Academy.Video.Worker;

/// <summary>
/// One JSON object per line with the template's properties at the top level, so CloudWatch queries
/// can say <c>event = "BATCH_JOB_FAILED"</c> and <c>job_id = "…"</c> (docs/contract.md §3). The built-in JSON
/// formatter nests them under "State", which CloudWatch filter patterns cannot reach as easily.
/// </summary>
public sealed class EventJsonConsoleFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "event-json";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", time.GetUtcNow());
            json.WriteString("level", logEntry.LogLevel.ToString());
            json.WriteString("category", logEntry.Category);
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                foreach (var (key, value) in properties)
                {
                    if (key != "{OriginalFormat}")
                    {
                        WriteValue(json, key, value);
                    }
                }
            }

            json.WriteString("message", logEntry.Formatter(logEntry.State, logEntry.Exception));
            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", exception.ToString());
            }

            json.WriteEndObject();
        }

        textWriter.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(key); break;
            case bool b: json.WriteBoolean(key, b); break;
            case int i: json.WriteNumber(key, i); break;
            case long l: json.WriteNumber(key, l); break;
            case double d: json.WriteNumber(key, d); break;
            default: json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>For lines written before logging exists (a bad job id).</summary>
    public static string Line(TimeProvider time, string level, string eventName, string message) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["timestamp"] = time.GetUtcNow(),
            ["level"] = level,
            ["event"] = eventName,
            ["message"] = message,
        });
}

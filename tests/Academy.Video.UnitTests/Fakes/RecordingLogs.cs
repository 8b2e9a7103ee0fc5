using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>Keeps every log line with its <c>{event}</c> property, so a test can say which event an outcome was logged as.</summary>
public sealed class RecordingLogs
{
    private readonly ConcurrentQueue<LogLine> lines = new();

    public IReadOnlyList<LogLine> Lines => lines.ToList();

    public IEnumerable<string> Events => Lines.Where(l => l.Event is not null).Select(l => l.Event!);

    public sealed record LogLine(string Category, LogLevel Level, string? Event, string Message)
    {
        /// <summary>The template's named values (<c>job_id</c>, <c>top_rung_code</c>, …).</summary>
        public IReadOnlyDictionary<string, object?> Properties { get; init; } = new Dictionary<string, object?>();
    }

    /// <summary>The logger the container hands out for <typeparamref name="TCategory"/>.</summary>
    public sealed class Logger<TCategory>(RecordingLogs owner) : ILogger<TCategory>
    {
        private readonly string category = typeof(TCategory).Name;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var eventName = state is IReadOnlyList<KeyValuePair<string, object?>> properties
                ? properties.FirstOrDefault(p => p.Key == "event").Value as string
                : null;
            var values = state is IReadOnlyList<KeyValuePair<string, object?>> all
                ? all.Where(p => p.Key != "{OriginalFormat}").GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value)
                : [];
            owner.lines.Enqueue(new LogLine(category, logLevel, eventName, formatter(state, exception)) { Properties = values });
        }
    }
}

using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using Academy.Video.Application.Common;

namespace Academy.Video.Infrastructure.Settings;

/// <summary>The reference table of docs/configuration.md, generated from the catalog: every key, its default and its <see cref="DescriptionAttribute"/>.</summary>
public static class SettingsReference
{
    public const string Start = "<!-- settings-reference:start (generated from the settings catalog; UPDATE_CONFIG_DOCS=1 regenerates it) -->";
    public const string End = "<!-- settings-reference:end -->";

    public static string Table(IEnumerable<SettingsSection> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var rows = new SortedDictionary<string, (string Default, string Description)>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            Walk(section.Section, section.OptionsType, Defaults(section.OptionsType), rows);
        }

        foreach (var change in KeyChanges.All)
        {
            rows.TryAdd(change.OldKey, ("", change.Honoured
                ? $"Obsolete: still read when `{change.NewKey}` is not set; set `{change.NewKey}` instead."
                : $"Obsolete, no longer read: set `{change.NewKey}` instead."));
        }

        var text = new StringBuilder();
        text.Append(Start).Append('\n');
        text.Append("| Key | Default | Description |\n|---|---|---|\n");
        foreach (var (key, (value, description)) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{key}` | {(value.Length == 0 ? "" : $"`{value}`")} | {description} |\n");
        }

        text.Append(End);
        return text.ToString();
    }

    /// <summary><paramref name="page"/> with its generated table replaced by <paramref name="table"/> (appended when it has none).</summary>
    public static string Replace(string page, string table)
    {
        ArgumentNullException.ThrowIfNull(page);
        var start = page.IndexOf(Start, StringComparison.Ordinal);
        var end = page.IndexOf(End, StringComparison.Ordinal);
        return start >= 0 && end > start
            ? page[..start] + table + page[(end + End.Length)..]
            : page.TrimEnd('\n') + "\n\n## Reference\n\nEvery key the API and the worker read, with its default.\n\n" + table + "\n";
    }

    private static void Walk(string prefix, Type type, object? defaults, SortedDictionary<string, (string, string)> rows)
    {
        foreach (var property in SettingsShape.Properties(type))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var value = defaults is null ? null : property.GetValue(defaults);
            var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";
            if (property.GetCustomAttribute<SecretAttribute>() is not null)
            {
                rows.TryAdd(key, ("", ("Secret. " + description).Trim()));
            }
            else if (SettingsShape.IsScalar(propertyType))
            {
                rows.TryAdd(key, (Text(value), description));
            }
            else if (SettingsShape.DictionaryValue(propertyType) is not null || SettingsShape.Element(propertyType) is { } element && SettingsShape.IsScalar(element))
            {
                rows.TryAdd(key, (value is IEnumerable items && items.Cast<object>().Any() ? string.Join(", ", items.Cast<object>().Select(Text)) : "", description));
            }
            else if (SettingsShape.Element(propertyType) is { } item)
            {
                Walk(key + ":{n}", item, null, rows);
            }
            else
            {
                Walk(key, propertyType, value, rows);
            }
        }
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

    private static string Text(object? value) => value switch
    {
        null => "",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

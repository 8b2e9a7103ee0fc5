using System.Collections;
using System.Reflection;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Settings;
using Academy.Video.Infrastructure.Storage;

namespace Academy.Video.Api.Operations;

/// <summary>
/// The settings this API reads, derived from what the host registered: every options type in the
/// <see cref="SettingsCatalog"/> (its public properties, nested types and collections), plus the few keys read
/// one by one and the old keys still honoured (<see cref="KeyChanges"/>). A key under one of the product's sections
/// that none of these reads is a setting that was removed or misspelt: check-settings names it as a warning, and
/// an old key that is no longer read as obsolete, with the key to set instead.
/// </summary>
public sealed class SettingsKeys
{
    /// <summary>Keys the hosts read directly rather than through an options type.</summary>
    private static readonly string[] DirectKeys =
    [
        $"ConnectionStrings:{PersistenceServiceCollectionExtensions.ConnectionStringName}",
        StorageServiceCollectionExtensions.ProviderKey,
        RunnerServiceCollectionExtensions.KindKey,
        "Recovery:RunInApi",
        Academy.Video.Infrastructure.LocalMode.Key,
    ];

    private readonly List<(string Path, Type Type)> bound;
    private readonly HashSet<string> sections;

    private SettingsKeys(List<(string Path, Type Type)> bound)
    {
        this.bound = bound;
        sections = new HashSet<string>(
            bound.Select(b => b.Path).Concat(DirectKeys).Concat(KeyChanges.All.Select(c => c.OldKey)).Select(path => path.Split(':')[0]),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The sections of every options type the host registered with AddSettings.</summary>
    public static SettingsKeys FromServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new SettingsKeys([.. services.Catalog().Sections.Select(s => (s.Section, s.OptionsType))]);
    }

    /// <summary>
    /// Every key set in <paramref name="configuration"/> that this API does not read: under a product section,
    /// or under a top-level section whose name is one letter or two from a product section's (<c>Uploads</c>
    /// for <c>Upload</c>). Other top-level sections belong to the framework or the machine and are left alone.
    /// </summary>
    public IReadOnlyList<string> Unknown(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var unknown = new List<string>();
        foreach (var top in configuration.GetChildren())
        {
            var product = sections.Contains(top.Key);
            // Only sections with keys below them: a plain variable (PATH, HOME) is never taken for a misspelt section.
            var lookalike = product || !top.GetChildren().Any() ? null : sections.FirstOrDefault(s => Distance(s.ToUpperInvariant(), top.Key.ToUpperInvariant()) <= 2);
            if (!product && lookalike is null)
            {
                continue;
            }

            foreach (var leaf in Leaves(top))
            {
                if (KeyChanges.Of(leaf.Path) is { } change)
                {
                    if (change.Kind is not KeyChangeKind.Renamed)
                    {
                        unknown.Add(change.Honoured
                            ? $"{leaf.Path}: obsolete, still read for now; set {change.NewKey} instead (it wins when both are set)"
                            : $"{leaf.Path}: obsolete, no longer read; it has no effect: set {change.NewKey} instead");
                    }
                }
                else if (!IsKnown(leaf.Path))
                {
                    unknown.Add(lookalike is null
                        ? $"{leaf.Path}: not a setting this API reads (removed or misspelt?); it has no effect"
                        : $"{leaf.Path}: not a setting this API reads (removed or misspelt? the section is {lookalike}); it has no effect");
                }
            }
        }

        return unknown;
    }

    private bool IsKnown(string path)
    {
        if (DirectKeys.Any(key => key.Equals(path, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        var segments = path.Split(':');
        foreach (var (sectionPath, type) in bound)
        {
            var prefix = sectionPath.Split(':');
            if (segments.Length > prefix.Length
                && prefix.Select((p, i) => p.Equals(segments[i], StringComparison.OrdinalIgnoreCase)).All(match => match)
                && Matches(type, segments, prefix.Length))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="segments"/> from <paramref name="index"/> name a property the binder fills in <paramref name="type"/>.</summary>
    private static bool Matches(Type type, string[] segments, int index)
    {
        if (index == segments.Length)
        {
            return true;
        }

        if (DictionaryValue(type) is { } value)
        {
            return index + 1 == segments.Length || Matches(value, segments, index + 1);
        }

        if (Element(type) is { } element)
        {
            return int.TryParse(segments[index], out _) && (index + 1 == segments.Length || Matches(element, segments, index + 1));
        }

        if (IsScalar(type))
        {
            return false;
        }

        var property = type.GetProperty(segments[index], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is not null && Matches(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, segments, index + 1);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);

    private static Type? DictionaryValue(Type type) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>) ? type : type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))?.GetGenericArguments()[1]
        ?? (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) ? type.GetGenericArguments()[1] : null);

    private static Type? Element(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType ? type.GetGenericArguments()[0]
        : null;

    private static IEnumerable<IConfigurationSection> Leaves(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            if (section.Value is not null)
            {
                yield return section;
            }

            yield break;
        }

        foreach (var leaf in children.SelectMany(Leaves))
        {
            yield return leaf;
        }
    }

    /// <summary>Levenshtein distance; the names compared are a few letters long.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}

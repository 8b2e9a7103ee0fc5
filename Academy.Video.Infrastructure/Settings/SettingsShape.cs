using System.Collections;
using System.Reflection;

namespace Academy.Video.Infrastructure.Settings;

/// <summary>The keys an options type takes, as the configuration binder sees them: its settable public properties, nested types and collections.</summary>
public static class SettingsShape
{
    /// <summary>The properties the binder fills: settable ones, and get-only collections and nested objects it fills in place.</summary>
    public static IEnumerable<PropertyInfo> Properties(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            .Where(p => p.SetMethod is { IsPublic: true } || FilledInPlace(p.PropertyType));
    }

    // A get-only collection the binder adds to (a dictionary or a list it can append to); computed views are not settings.
    private static bool FilledInPlace(Type type) =>
        !type.IsArray && (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
                && (definition == typeof(IDictionary<,>) || definition == typeof(ICollection<>) || definition == typeof(IList<>))
            || type.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(ICollection<>))));

    public static bool IsScalar(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);
    }

    /// <summary>The value type of a dictionary type, or null.</summary>
    public static Type? DictionaryValue(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>) ? type : type.GetInterfaces()
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))?.GetGenericArguments()[1]
            ?? (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) ? type.GetGenericArguments()[1] : null);
    }

    /// <summary>The element type of a list type (not a dictionary), or null.</summary>
    public static Type? Element(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type == typeof(string) || DictionaryValue(type) is not null ? null
            : type.IsArray ? type.GetElementType()
            : typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType ? type.GetGenericArguments()[0]
            : null;
    }
}

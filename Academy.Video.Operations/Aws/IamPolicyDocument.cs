using System.Text.Json;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// Reads IAM policy documents: the actions of the Allow statements, and the services a trust policy
/// lets assume the role. <c>Statement</c>, <c>Action</c> and <c>Principal.Service</c> may each be a
/// single value or a list.
/// </summary>
public static class IamPolicyDocument
{
    public static IReadOnlyList<string> AllowedActions(string json) =>
        Statements(json).Where(IsAllow).SelectMany(s => Strings(s, "Action")).Distinct(StringComparer.Ordinal).ToList();

    public static IReadOnlySet<string> TrustedServices(string json) =>
        Statements(json)
            .Where(s => IsAllow(s) && Strings(s, "Action").Any(a => a.Equals("sts:AssumeRole", StringComparison.OrdinalIgnoreCase) || a == "sts:*" || a == "*"))
            .SelectMany(s => s.TryGetProperty("Principal", out var principal) && principal.ValueKind == JsonValueKind.Object ? Strings(principal, "Service") : [])
            .ToHashSet(StringComparer.Ordinal);

    private static List<JsonElement> Statements(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("Statement", out var statement))
        {
            return [];
        }

        var statements = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement];
        return statements.Select(s => s.Clone()).ToList();
    }

    private static bool IsAllow(JsonElement statement) =>
        statement.TryGetProperty("Effect", out var effect) && effect.GetString() == "Allow";

    private static IEnumerable<string> Strings(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(),
            _ => [],
        };
    }
}

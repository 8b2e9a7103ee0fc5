namespace Academy.Video.Api.Security;

/// <summary>Section <c>Auth</c>. Client keys open /api/v1 except /api/v1/internal; internal keys open all of /api/v1.</summary>
public sealed class ApiAuthOptions
{
    public const string Section = "Auth";
    public const string ClientHeader = "X-Api-Key";
    public const string InternalHeader = "X-Internal-Api-Key";

    public List<string> ApiKeys { get; set; } = [];

    public List<string> InternalApiKeys { get; set; } = [];
}

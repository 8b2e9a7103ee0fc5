namespace Academy.Video.Api.Security;

/// <summary>Section <c>Auth</c>. Client keys open /api/v1; internal keys open /api/v1/internal as well.</summary>
public sealed class ApiAuthOptions
{
    public const string Section = "Auth";
    public const string ClientHeader = "X-Api-Key";
    public const string InternalHeader = "X-Internal-Api-Key";

    public List<string> ApiKeys { get; set; } = [];

    public List<string> InternalApiKeys { get; set; } = [];
}

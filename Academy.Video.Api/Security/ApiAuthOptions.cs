using Academy.Video.Application.Common;
using FluentValidation;

namespace Academy.Video.Api.Security;

/// <summary>Section <c>Auth</c>. Client keys open /api/v1 except /api/v1/internal; internal keys open all of /api/v1.</summary>
public sealed class ApiAuthOptions
{
    public const string Section = "Auth";
    public const string ClientHeader = "X-Api-Key";
    public const string InternalHeader = "X-Internal-Api-Key";

    [Secret(Identifiable = true)]

    public List<string> ApiKeys { get; set; } = [];

    [Secret(Identifiable = true)]

    public List<string> InternalApiKeys { get; set; } = [];
}

/// <summary>Section <c>Auth</c>, checked at start.</summary>
public sealed class ApiAuthOptionsValidator : AbstractValidator<ApiAuthOptions>
{
    public ApiAuthOptionsValidator()
    {
        RuleFor(o => o.ApiKeys).Must(keys => keys.Count > 0 && keys.All(k => k.Length >= 16))
            .WithSettingsMessage("Auth:ApiKeys needs at least one key of 16 or more characters.");
        RuleFor(o => o.InternalApiKeys).Must(keys => keys.Count > 0 && keys.All(k => k.Length >= 16))
            .WithSettingsMessage("Auth:InternalApiKeys needs at least one key of 16 or more characters.");
        RuleFor(o => o).Must(o => !o.ApiKeys.Intersect(o.InternalApiKeys).Any()).WithName("Keys")
            .WithSettingsMessage("A key cannot be both a client key and an internal key.");
    }
}

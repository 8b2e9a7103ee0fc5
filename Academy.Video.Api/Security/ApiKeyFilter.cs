using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Security;

/// <summary>Requires a configured key in a header; missing or wrong → 401, compared in constant time.</summary>
public sealed class ApiKeyFilter(string header, Func<ApiAuthOptions, IReadOnlyList<string>> keys) : IEndpointFilter
{
    /// <summary>
    /// The client endpoints take a client key or an internal (operator) key in X-Api-Key: an operator signed in to
    /// the console with one key sees the videos too. The internal endpoints take internal keys only.
    /// </summary>
    public static ApiKeyFilter Client() => new(ApiAuthOptions.ClientHeader, o => [.. o.ApiKeys, .. o.InternalApiKeys]);

    public static ApiKeyFilter Internal() => new(ApiAuthOptions.InternalHeader, o => o.InternalApiKeys);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<ApiAuthOptions>>().Value;
        var presented = context.HttpContext.Request.Headers[header].ToString();
        if (presented.Length == 0 || !keys(options).Any(key => Matches(key, presented)))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: presented.Length == 0 ? $"Send your API key in the {header} header." : $"The {header} header does not hold a valid key.");
        }

        return await next(context);
    }

    private static bool Matches(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)),
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}

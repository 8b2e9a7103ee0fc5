using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Academy.Video.Api.Errors;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Security;

/// <summary>Which key an endpoint demands; set with <see cref="ApiKeys.RequireClientKey{TBuilder}"/> or <see cref="ApiKeys.RequireInternalKey{TBuilder}"/>.</summary>
public sealed record ApiKeyRequirement(string Header, bool InternalOnly);

/// <summary>
/// API keys are checked by a middleware after routing and before the endpoint runs, so before model binding:
/// a caller without a key gets 401 whatever its body holds, and no body of an unauthenticated caller is read.
/// A key sent in the query string is refused with 400 <c>API_KEY_IN_QUERY</c> on every route (docs/api.md, Authentication).
/// </summary>
public static class ApiKeys
{
    /// <summary>
    /// The client endpoints take a client key or an internal (operator) key in X-Api-Key: an operator signed in to
    /// the console with one key sees the videos too. The internal endpoints take internal keys only, in X-Internal-Api-Key.
    /// </summary>
    public static TBuilder RequireClientKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(ApiAuthOptions.ClientHeader, InternalOnly: false));

    public static TBuilder RequireInternalKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(ApiAuthOptions.InternalHeader, InternalOnly: true));

    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app) => app.Use(CheckAsync);

    /// <summary>Whether the request's <see cref="ApiAuthOptions.InternalHeader"/> holds a configured internal key.</summary>
    public static bool HoldsInternalKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.RequestServices.GetRequiredService<IOptions<ApiAuthOptions>>().Value;
        return Holds(context.Request.Headers[ApiAuthOptions.InternalHeader].ToString(), HashesOf(options).Internal, out _);
    }

    private static Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (KeyParameterInQuery(context.Request.Query) is { } parameter)
        {
            var header = parameter.Equals(ApiAuthOptions.InternalHeader, StringComparison.OrdinalIgnoreCase) ? ApiAuthOptions.InternalHeader : ApiAuthOptions.ClientHeader;
            return ApiProblems.WriteAsync(context, ErrorCodes.ApiKeyInQuery,
                $"API keys are never accepted in the URL (URLs end up in logs and proxies): send the key in the {header} header, and replace a key that was sent in a URL.");
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>() is not { } requirement)
        {
            return next(context);
        }

        var hashes = HashesOf(context.RequestServices.GetRequiredService<IOptions<ApiAuthOptions>>().Value);
        var presented = context.Request.Headers[requirement.Header].ToString();
        if (!Holds(presented, requirement.InternalOnly ? hashes.Internal : hashes.ClientOrInternal, out var presentedHash))
        {
            return ApiProblems.WriteAsync(context, ErrorCodes.Unauthorized,
                presented.Length == 0 ? $"Send your API key in the {requirement.Header} header." : $"The {requirement.Header} header does not hold a valid key.");
        }

        // Later stages (the rate limits) tell clients apart by the key checked here, never by a key they check again.
        context.Items[VerifiedClientItem] = Convert.ToHexString(presentedHash);
        return next(context);
    }

    private const string VerifiedClientItem = "academy-video:verified-client";

    /// <summary>The client whose key this request was let in with (a hash of the key); null where no key was required.</summary>
    public static string? VerifiedClient(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(VerifiedClientItem, out var client) ? client as string : null;
    }

    private static string? KeyParameterInQuery(IQueryCollection query) =>
        query.Keys.FirstOrDefault(name =>
            name.Equals(ApiAuthOptions.ClientHeader, StringComparison.OrdinalIgnoreCase)
            || name.Equals(ApiAuthOptions.InternalHeader, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Constant time: the presented key's hash is compared with the hash of every configured key (no early exit), over
    /// hashes of equal length. The configured keys are hashed once per options instance, not on every request.
    /// </summary>
    private static bool Holds(string presented, byte[][] keyHashes, out byte[] presentedHash)
    {
        presentedHash = Hash(presented);
        var found = false;
        foreach (var keyHash in keyHashes)
        {
            found |= CryptographicOperations.FixedTimeEquals(keyHash, presentedHash);
        }

        return presented.Length > 0 && found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static readonly ConditionalWeakTable<ApiAuthOptions, KeyHashes> Hashes = new();

    private static KeyHashes HashesOf(ApiAuthOptions options) => Hashes.GetValue(options, o => new KeyHashes(o));

    private sealed class KeyHashes(ApiAuthOptions options)
    {
        public byte[][] Internal { get; } = [.. options.InternalApiKeys.Select(Hash)];

        public byte[][] ClientOrInternal { get; } = [.. options.ApiKeys.Concat(options.InternalApiKeys).Select(Hash)];
    }
}

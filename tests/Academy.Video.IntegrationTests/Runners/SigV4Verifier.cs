using System.Security.Cryptography;
using System.Text;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// Recomputes an AWS Signature Version 4 from the received request, following the published algorithm
/// (canonical request → string to sign → HMAC-SHA256 key chain). Deliberately independent of AWSSDK.Core,
/// so a test can tell whether the SDK's signature is one AWS would accept.
/// </summary>
internal static class SigV4Verifier
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    public sealed record Result(bool IsValid, string Detail, string? AccessKey, string? Region, string? Service, IReadOnlyList<string> SignedHeaders);

    /// <param name="headers">Request headers by lower-case name, as received.</param>
    public static Result Verify(
        string method,
        string path,
        string query,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        string secretKey)
    {
        if (!headers.TryGetValue("authorization", out var authorization) || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return Invalid("no AWS4-HMAC-SHA256 Authorization header");
        }

        var fields = authorization[(Algorithm.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        var scope = fields["Credential"].Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return Invalid($"malformed credential scope {fields["Credential"]}");
        }

        var (accessKey, date, region, service) = (scope[0], scope[1], scope[2], scope[3]);
        var signedHeaders = fields["SignedHeaders"].Split(';');
        if (!signedHeaders.SequenceEqual(signedHeaders.Order(StringComparer.Ordinal)))
        {
            return Invalid("SignedHeaders not sorted", accessKey, region, service, signedHeaders);
        }

        if (!signedHeaders.Contains("host") || !signedHeaders.Contains("x-amz-date"))
        {
            return Invalid("host and x-amz-date must be signed", accessKey, region, service, signedHeaders);
        }

        var amzDate = headers["x-amz-date"];
        if (!amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            return Invalid($"x-amz-date {amzDate} does not match scope date {date}", accessKey, region, service, signedHeaders);
        }

        var payloadHash = Hex(SHA256.HashData(body));
        if (headers.TryGetValue("x-amz-content-sha256", out var claimedHash) && claimedHash != payloadHash)
        {
            return Invalid("x-amz-content-sha256 does not match the body", accessKey, region, service, signedHeaders);
        }

        return Check(new Signed(method, path, CanonicalQuery(query), headers, signedHeaders, payloadHash, amzDate, accessKey, date, region, service, fields["Signature"]), secretKey);
    }

    /// <summary>
    /// Query-string authentication (a presigned URL): recomputes the signature for a request that sends
    /// <paramref name="headers"/> (by lower-case name, <c>host</c> included) to <paramref name="url"/>, as S3 or R2 would.
    /// </summary>
    public static Result VerifyPresigned(string method, Uri url, IReadOnlyDictionary<string, string> headers, string secretKey)
    {
        ArgumentNullException.ThrowIfNull(url);
        var query = url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair.Length > 1 ? pair[1] : string.Empty), StringComparer.Ordinal);
        if (query.GetValueOrDefault("X-Amz-Algorithm") != Algorithm || !query.TryGetValue("X-Amz-Signature", out var signature))
        {
            return Invalid("no AWS4-HMAC-SHA256 query-string signature");
        }

        var scope = query["X-Amz-Credential"].Split('/');
        var signedHeaders = query["X-Amz-SignedHeaders"].Split(';');
        var unsignedQuery = string.Join('&', url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !pair.StartsWith("X-Amz-Signature=", StringComparison.Ordinal)));
        // A presigned S3 PUT does not sign the body itself.
        return Check(
            new Signed(method, url.AbsolutePath, CanonicalQuery(unsignedQuery), headers, signedHeaders, "UNSIGNED-PAYLOAD",
                query["X-Amz-Date"], scope[0], scope[1], scope[2], scope[3], signature),
            secretKey);
    }

    private sealed record Signed(
        string Method,
        string Path,
        string CanonicalQuery,
        IReadOnlyDictionary<string, string> Headers,
        IReadOnlyList<string> SignedHeaders,
        string PayloadHash,
        string AmzDate,
        string AccessKey,
        string Date,
        string Region,
        string Service,
        string Signature);

    private static Result Check(Signed request, string secretKey)
    {
        var canonicalHeaders = new StringBuilder();
        foreach (var name in request.SignedHeaders)
        {
            if (!request.Headers.TryGetValue(name, out var value))
            {
                return Invalid($"signed header {name} missing from the request", request.AccessKey, request.Region, request.Service, request.SignedHeaders);
            }

            canonicalHeaders.Append(name).Append(':').Append(CollapseSpaces(value.Trim())).Append('\n');
        }

        var canonicalRequest = string.Join('\n',
            request.Method,
            CanonicalPath(request.Path),
            request.CanonicalQuery,
            canonicalHeaders.ToString(),
            string.Join(';', request.SignedHeaders),
            request.PayloadHash);
        var stringToSign = string.Join('\n',
            Algorithm,
            request.AmzDate,
            $"{request.Date}/{request.Region}/{request.Service}/aws4_request",
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(request.Date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(request.Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(request.Service));
        key = HMACSHA256.HashData(key, "aws4_request"u8.ToArray());
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        var valid = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(request.Signature));
        return new Result(valid, valid ? "ok" : $"signature mismatch; canonical request was:\n{canonicalRequest}",
            request.AccessKey, request.Region, request.Service, request.SignedHeaders);
    }

    private static Result Invalid(string detail, string? accessKey = null, string? region = null, string? service = null,
        IReadOnlyList<string>? signedHeaders = null) =>
        new(false, detail, accessKey, region, service, signedHeaders ?? []);

    private static string CanonicalPath(string path) =>
        path.Length == 0 ? "/" : string.Join('/', path.Split('/').Select(segment => UriEncode(Uri.UnescapeDataString(segment))));

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return string.Empty;
        }

        return string.Join('&', query.TrimStart('?').Split('&')
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Key: UriEncode(Uri.UnescapeDataString(pair[0])), Value: UriEncode(Uri.UnescapeDataString(pair.Length > 1 ? pair[1] : string.Empty))))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ThenBy(pair => pair.Value, StringComparer.Ordinal)
            .Select(pair => $"{pair.Key}={pair.Value}"));
    }

    /// <summary>RFC 3986 unreserved characters stay, everything else is %XX upper-case (the SigV4 rule).</summary>
    private static string UriEncode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }

        return builder.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

using Microsoft.AspNetCore.WebUtilities;

namespace Academy.Video.Api.Errors;

/// <summary>An error the API itself answers: its stable code and the one status that goes with it.</summary>
public sealed record ApiError(string Code, int Status);

/// <summary>
/// Every error answer carries a stable <c>code</c>, each defined once. Application errors bring their own
/// (the exception's kind gives the status, <see cref="ApiProblems"/>); the API's own refusals are listed here
/// with their status; an answer that has none (the framework's: routing, binding, body limits, status code
/// pages) gets its status's code here.
/// </summary>
public static class ErrorCodes
{
    public const string Key = "code";

    /// <summary>A JSON body that does not parse or does not fit the request's shape.</summary>
    public const string InvalidJson = "INVALID_JSON";

    public const string ValidationFailed = "VALIDATION_FAILED";

    public static readonly ApiError Unauthorized = new("UNAUTHORIZED", StatusCodes.Status401Unauthorized);

    /// <summary>A key in the URL is refused even when it is valid: URLs end up in logs, proxies and browser history (docs/api.md, Authentication).</summary>
    public static readonly ApiError ApiKeyInQuery = new("API_KEY_IN_QUERY", StatusCodes.Status400BadRequest);

    public static readonly ApiError PayloadTooLarge = new("PAYLOAD_TOO_LARGE", StatusCodes.Status413PayloadTooLarge);

    public static readonly ApiError ContentLengthRequired = new("CONTENT_LENGTH_REQUIRED", StatusCodes.Status411LengthRequired);

    /// <summary>A part number outside S3's 1..10000.</summary>
    public static readonly ApiError PartNumberOutOfRange = new("PART_NUMBER_OUT_OF_RANGE", StatusCodes.Status400BadRequest);

    public static readonly ApiError UploadUrlExpired = new("UPLOAD_URL_EXPIRED", StatusCodes.Status403Forbidden);

    public static readonly ApiError UploadUrlInvalid = new("UPLOAD_URL_INVALID", StatusCodes.Status403Forbidden);

    public static readonly ApiError UploadTooLarge = new("UPLOAD_TOO_LARGE", StatusCodes.Status413PayloadTooLarge);

    public static readonly ApiError UploadTooSmall = new("UPLOAD_TOO_SMALL", StatusCodes.Status400BadRequest);

    public static readonly ApiError NoSuchUpload = new("NO_SUCH_UPLOAD", StatusCodes.Status404NotFound);

    /// <summary>A caption upload that is not multipart/form-data.</summary>
    public static readonly ApiError UnsupportedMediaType = new("UNSUPPORTED_MEDIA_TYPE", StatusCodes.Status415UnsupportedMediaType);

    public static readonly ApiError ConsoleNotBuilt = new("CONSOLE_NOT_BUILT", StatusCodes.Status503ServiceUnavailable);

    private static readonly Dictionary<int, string> ByStatus = new()
    {
        [StatusCodes.Status400BadRequest] = "BAD_REQUEST",
        [StatusCodes.Status401Unauthorized] = Unauthorized.Code,
        [StatusCodes.Status403Forbidden] = "FORBIDDEN",
        [StatusCodes.Status404NotFound] = "NOT_FOUND",
        [StatusCodes.Status405MethodNotAllowed] = "METHOD_NOT_ALLOWED",
        [StatusCodes.Status406NotAcceptable] = "NOT_ACCEPTABLE",
        [StatusCodes.Status408RequestTimeout] = "REQUEST_TIMEOUT",
        [StatusCodes.Status409Conflict] = "CONFLICT",
        [StatusCodes.Status411LengthRequired] = ContentLengthRequired.Code,
        [StatusCodes.Status413PayloadTooLarge] = PayloadTooLarge.Code,
        [StatusCodes.Status414UriTooLong] = "URI_TOO_LONG",
        [StatusCodes.Status415UnsupportedMediaType] = UnsupportedMediaType.Code,
        [StatusCodes.Status422UnprocessableEntity] = "UNPROCESSABLE_CONTENT",
        [StatusCodes.Status429TooManyRequests] = "TOO_MANY_REQUESTS",
        [StatusCodes.Status431RequestHeaderFieldsTooLarge] = "HEADERS_TOO_LARGE",
        [StatusCodes.Status500InternalServerError] = "INTERNAL_ERROR",
        [StatusCodes.Status503ServiceUnavailable] = "SERVICE_UNAVAILABLE",
    };

    public static string ForStatus(int status) =>
        ByStatus.TryGetValue(status, out var code) ? code : $"HTTP_{status}";

    public static string TitleFor(int status) =>
        ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    /// <summary>The <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/> hook: adds the status's code where the answer has none.</summary>
    public static void AddMissingCode(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        context.ProblemDetails.Extensions.TryAdd(Key, ForStatus(status));
    }
}

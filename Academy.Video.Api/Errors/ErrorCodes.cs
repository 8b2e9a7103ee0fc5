using Microsoft.AspNetCore.WebUtilities;

namespace Academy.Video.Api.Errors;

/// <summary>
/// Every error answer carries a stable <c>code</c>. Application errors bring their own; an answer that
/// has none (the framework's: routing, binding, body limits, status code pages) gets its status's code here.
/// </summary>
public static class ErrorCodes
{
    public const string Key = "code";

    /// <summary>A JSON body that does not parse or does not fit the request's shape.</summary>
    public const string InvalidJson = "INVALID_JSON";

    private static readonly Dictionary<int, string> ByStatus = new()
    {
        [StatusCodes.Status400BadRequest] = "BAD_REQUEST",
        [StatusCodes.Status401Unauthorized] = "UNAUTHORIZED",
        [StatusCodes.Status403Forbidden] = "FORBIDDEN",
        [StatusCodes.Status404NotFound] = "NOT_FOUND",
        [StatusCodes.Status405MethodNotAllowed] = "METHOD_NOT_ALLOWED",
        [StatusCodes.Status406NotAcceptable] = "NOT_ACCEPTABLE",
        [StatusCodes.Status408RequestTimeout] = "REQUEST_TIMEOUT",
        [StatusCodes.Status409Conflict] = "CONFLICT",
        [StatusCodes.Status411LengthRequired] = "CONTENT_LENGTH_REQUIRED",
        [StatusCodes.Status413PayloadTooLarge] = "PAYLOAD_TOO_LARGE",
        [StatusCodes.Status414UriTooLong] = "URI_TOO_LONG",
        [StatusCodes.Status415UnsupportedMediaType] = "UNSUPPORTED_MEDIA_TYPE",
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

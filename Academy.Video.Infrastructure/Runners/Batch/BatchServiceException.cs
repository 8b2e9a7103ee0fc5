using System.Net;

namespace Academy.Video.Infrastructure.Runners.Batch;

/// <summary>An error answer from the AWS Batch API: HTTP status plus Batch's <c>__type</c> and <c>message</c>.</summary>
public sealed class BatchServiceException(HttpStatusCode statusCode, string errorType, string errorMessage)
    : Exception($"AWS Batch {(int)statusCode} {errorType}: {errorMessage}")
{
    private static readonly HashSet<string> ThrottlingTypes = new(StringComparer.Ordinal)
    {
        "TooManyRequestsException",
        "ThrottlingException",
    };

    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>Batch's error code, e.g. <c>ClientException</c>, <c>ServerException</c>, <c>TooManyRequestsException</c>.</summary>
    public string ErrorType { get; } = errorType;

    public string ErrorMessage { get; } = errorMessage;

    public bool IsThrottling => StatusCode == HttpStatusCode.TooManyRequests || ThrottlingTypes.Contains(ErrorType);

    /// <summary>Worth another attempt: throttling or a server-side failure; never a client error.</summary>
    public bool IsTransient => IsThrottling || (int)StatusCode >= 500;
}

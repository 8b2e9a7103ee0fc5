using System.Net;

namespace Academy.Video.Infrastructure.Aws;

/// <summary>An error answer from an AWS API (IAM, STS, CloudWatch Logs): the operation, HTTP status, AWS's error code and message.</summary>
public sealed class AwsServiceException(AwsOperation operation, HttpStatusCode statusCode, string errorCode, string errorMessage)
    : Exception($"{operation.IamAction} failed: {(int)statusCode} {errorCode}: {errorMessage}")
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
    };

    public AwsOperation Operation { get; } = operation;

    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>AWS's error code: <c>NoSuchEntity</c>, <c>AccessDenied</c>, <c>ResourceNotFoundException</c>.</summary>
    public string ErrorCode { get; } = errorCode;

    public string ErrorMessage { get; } = errorMessage;

    /// <summary>Worth another attempt: throttling or a server-side failure; never a client error.</summary>
    public bool IsTransient => StatusCode == HttpStatusCode.TooManyRequests || ThrottlingCodes.Contains(ErrorCode) || (int)StatusCode >= 500;
}

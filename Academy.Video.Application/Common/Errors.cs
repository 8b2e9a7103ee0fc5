namespace Academy.Video.Application.Common;

/// <summary>Application errors carry a stable code; the API maps each kind to one HTTP status in one place.</summary>
public abstract class ApplicationErrorException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>The thing asked for does not exist (HTTP 404).</summary>
public sealed class NotFoundException(string resource, object id)
    : ApplicationErrorException($"{resource.ToUpperInvariant()}_NOT_FOUND", $"{resource} '{id}' was not found.");

/// <summary>The request is valid but the current state forbids it (HTTP 409).</summary>
public sealed class ConflictException(string code, string message) : ApplicationErrorException(code, message)
{
    /// <summary>The video is not in a state the request can act on, or changed while it was being acted on.</summary>
    public const string InvalidVideoState = "INVALID_VIDEO_STATE";

    /// <summary>Nothing (or no longer anything) was uploaded for the video.</summary>
    public const string UploadMissing = "UPLOAD_MISSING";

    /// <summary>The parts named cannot be joined into the source.</summary>
    public const string UploadPartsInvalid = "UPLOAD_PARTS_INVALID";
}

/// <summary>A dependency the request needs cannot be reached (HTTP 503); the message says which and why, in one line.</summary>
public sealed class DependencyUnavailableException(string code, string message) : ApplicationErrorException(code, message)
{
    public const string DatabaseUnavailable = "DATABASE_UNAVAILABLE";
}

/// <summary>The caller holds no valid right to the thing (HTTP 403): a missing, expired or forged signed URL.</summary>
public sealed class ForbiddenException(string code, string message) : ApplicationErrorException(code, message);

/// <summary>The request's content is refused for a reason with its own stable code (HTTP 400), e.g. a caption file that does not parse.</summary>
public sealed class InvalidContentException(string code, string message) : ApplicationErrorException(code, message);

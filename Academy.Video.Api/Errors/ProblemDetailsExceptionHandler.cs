using Microsoft.AspNetCore.Diagnostics;

namespace Academy.Video.Api.Errors;

/// <summary>Exceptions become HTTP through the one mapper, <see cref="ApiProblems"/>; anything it does not know is a logged 500.</summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var problem = ApiProblems.FromException(exception);
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {method} {path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = ApiProblems.InternalError();
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}

using System.Text.Json;
using Academy.Video.Application.Common;
using Academy.Video.Domain;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Academy.Video.Api.Errors;

/// <summary>The one place where errors become HTTP: each error kind has one status, and its code travels with it.</summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var problem = exception switch
        {
            ValidationException validation => new ValidationProblemDetails(
                validation.Errors.GroupBy(e => ToCamelCase(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is invalid.",
                Extensions = { [ErrorCodes.Key] = "VALIDATION_FAILED" },
            },
            NotFoundException notFound => Problem(StatusCodes.Status404NotFound, "Not found", notFound.Message, notFound.Code),
            DependencyUnavailableException unavailable => Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", unavailable.Message, unavailable.Code),
            ConflictException conflict => Problem(StatusCodes.Status409Conflict, "Conflict", conflict.Message, conflict.Code),
            ForbiddenException forbidden => Problem(StatusCodes.Status403Forbidden, "Forbidden", forbidden.Message, forbidden.Code),
            DomainException domain => Problem(StatusCodes.Status409Conflict, "Conflict", domain.Message, domain.Code),
            // The framework's own refusals: unreadable JSON, a wrong Content-Type (415), a body over the limit
            // while it streams in (413), a query or route value that does not bind (400).
            BadHttpRequestException bad => Problem(bad.StatusCode, ErrorCodes.TitleFor(bad.StatusCode), bad.Message,
                bad.InnerException is JsonException ? ErrorCodes.InvalidJson : ErrorCodes.ForStatus(bad.StatusCode)),
            _ => null,
        };

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {method} {path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = Problem(StatusCodes.Status500InternalServerError, "Internal error", "The server failed; the error is logged with this request's trace id.",
                ErrorCodes.ForStatus(StatusCodes.Status500InternalServerError));
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Problem(int status, string title, string detail, string code) =>
        new() { Status = status, Title = title, Detail = detail, Extensions = { [ErrorCodes.Key] = code } };

    private static string ToCamelCase(string name) =>
        string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

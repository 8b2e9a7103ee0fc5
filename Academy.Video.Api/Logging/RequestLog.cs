using System.Diagnostics;
using Academy.Video.Application.Common;

namespace Academy.Video.Api.Logging;

/// <summary>
/// One line per request, its URL redacted (<see cref="UrlRedaction"/>): signed upload, media and playback URLs
/// carry their grant in the query, and a key sent in a URL must not reach the log either. ASP.NET Core's own
/// request lines (category <see cref="HostingDiagnostics"/>) print the raw URL, so they are kept to warnings and
/// above; this line replaces them (docs/operations.md, Logs).
/// </summary>
public static partial class RequestLog
{
    public const string Category = "Academy.Video.Api.Requests";

    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static WebApplicationBuilder AddRedactedRequestLog(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddFilter(HostingDiagnostics, LogLevel.Warning);
        return builder;
    }

    public static IApplicationBuilder UseRedactedRequestLog(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                // With the category at Warning or above no line is written, so its URL is not built either.
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var request = context.Request;
                    LogRequest(logger, request.Method, request.PathBase + request.Path + (request.QueryString.HasValue ? UrlRedaction.RedactQuery(request.QueryString.Value!) : ""),
                        context.Response.StatusCode, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {method} {url} responded {status} in {duration_ms} ms")]
    private static partial void LogRequest(ILogger logger, string method, string url, int status, long duration_ms);
}

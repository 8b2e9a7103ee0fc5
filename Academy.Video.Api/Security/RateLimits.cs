using System.ComponentModel;
using System.Globalization;
using System.Threading.RateLimiting;
using Academy.Video.Api.Errors;
using Academy.Video.Application.Common;
using Academy.Video.Infrastructure.Settings;
using FluentValidation;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Security;

/// <summary>Section <c>RateLimits</c>: requests each client may make per window on the routes that cost storage and work.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary><c>POST /api/v1/videos</c> per client per window.</summary>
    [Description("POST /api/v1/videos per client per window.")]
    public int CreatesPerWindow { get; set; } = 60;

    /// <summary>The upload routes (<c>GET …/upload</c> for fresh upload and part URLs, <c>POST …/upload-complete</c>) per client per window.</summary>
    [Description("The upload routes (GET …/upload for fresh upload and part URLs, POST …/upload-complete) per client per window.")]
    public int UploadsPerWindow { get; set; } = 300;

    /// <summary>The fixed window the counts apply to; zero turns the limits off.</summary>
    [Description("The fixed window the counts apply to; zero turns the limits off.")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => Window > TimeSpan.Zero;
}

/// <summary>Section <c>RateLimits</c>, checked at start.</summary>
public sealed class RateLimitOptionsValidator : AbstractValidator<RateLimitOptions>
{
    public RateLimitOptionsValidator()
    {
        RuleFor(o => o.Window).GreaterThanOrEqualTo(TimeSpan.Zero).WithSettingsMessage("RateLimits:Window must not be negative (zero turns the limits off).");
        RuleFor(o => o).Must(o => !o.Enabled || (o.CreatesPerWindow >= 1 && o.UploadsPerWindow >= 1)).WithName("PerWindow")
            .WithSettingsMessage("RateLimits:CreatesPerWindow and RateLimits:UploadsPerWindow must be at least 1 (RateLimits:Window=00:00:00 turns the limits off).");
    }
}

/// <summary>
/// Per-client limits on creates and uploads (docs/api.md, rate limits). The key check runs first (a request without
/// a valid key is a 401 and counts toward nothing), so a client is its API key; a request the key check did not see
/// would be counted by its remote address, never by a key that is not this API's. Over the limit: 429
/// <c>TOO_MANY_REQUESTS</c> with <c>Retry-After</c>.
/// </summary>
public static class RateLimits
{
    public const string Creates = "creates";
    public const string Uploads = "uploads";

    public static IServiceCollection AddVideoRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSettings<RateLimitOptions>(configuration, RateLimitOptions.Section);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Creates, context => Partition(context, o => o.CreatesPerWindow));
            limiter.AddPolicy(Uploads, context => Partition(context, o => o.UploadsPerWindow));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Func<RateLimitOptions, int> permits)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        if (!options.Enabled)
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        return RateLimitPartition.GetFixedWindowLimiter(
            ApiKeys.VerifiedClient(context) is { } client ? "key:" + client : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits(options), Window = options.Window, QueueLimit = 0 });
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.Window;
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        var creates = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == Creates;
        var (what, limit, setting) = creates
            ? ("video creates", options.CreatesPerWindow, "RateLimits:CreatesPerWindow")
            : ("upload requests", options.UploadsPerWindow, "RateLimits:UploadsPerWindow");
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(context, new ApiError(ErrorCodes.ForStatus(StatusCodes.Status429TooManyRequests), StatusCodes.Status429TooManyRequests),
            string.Create(CultureInfo.InvariantCulture, $"This client may make {limit} {what} per {options.Window:c} ({setting}); try again in {seconds} s."));
    }
}

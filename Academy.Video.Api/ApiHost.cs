using Academy.Video.Api.Background;
using Academy.Video.Api.Endpoints;
using Academy.Video.Api.Errors;
using Academy.Video.Api.Health;
using Academy.Video.Api.Logging;
using Academy.Video.Api.Security;
using Academy.Video.Api.WebConsole;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Webhooks;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Settings;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Infrastructure.Webhooks;
using Academy.Video.Operations;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Academy.Video.Api;

public static class ApiHost
{
    /// <summary>JSON bodies of this API are small; only the local storage upload route takes large ones.</summary>
    public const long MaxJsonBodyBytes = 64 * 1024;

    public static WebApplicationBuilder AddVideoApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxJsonBodyBytes);
        builder.AddRedactedRequestLog();
        builder.Services.AddVideoCore(builder.Configuration);
        builder.Services.AddJobSubmission(builder.Configuration);
        builder.Services.AddWebhooks(builder.Configuration);
        builder.Services.AddOperations(builder.Configuration);
        builder.Services.AddSettings<ApiAuthOptions>(builder.Configuration, ApiAuthOptions.Section);
        // The declared local mode: the development signing key and private webhook targets only with LocalMode=true.
        builder.Services.AddLocalModeGuards(builder.Configuration);
        builder.Services.AddVideoRateLimits(builder.Configuration);
        builder.Services.AddOptions<PlaybackOptions>().ValidateOnStart();
        // Webhook secrets are stored encrypted; only local mode may fall back on the development key (decision 0014).
        builder.Services.AddOptions<WebhookSecretEncryptionOptions>()
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                if (LocalMode.IsOn(configuration))
                {
                    o.AllowDevelopmentKey();
                }
            });
        // Event bodies carry the video exactly as GET writes it: with the API's own JSON settings.
        builder.Services.AddSingleton(sp => new EventBodyFormat(sp.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ErrorCodes.AddMissingCode);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>());
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        // Binding failures (bad JSON, wrong Content-Type, a query value that does not parse) throw in every
        // environment, so the exception handler answers them with their reason, not only with a status.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseReadinessCheck>("database", tags: ["ready"])
            .AddCheck<StorageReadinessCheck>("storage", tags: ["ready"]);
        if (builder.Configuration.GetValue("Recovery:RunInApi", true))
        {
            builder.Services.AddHostedService<RecoveryScanService>();
            builder.Services.AddHostedService<StorageCleanupService>();
            builder.Services.AddHostedService<CaptionDispatchService>();
            builder.Services.AddHostedService<ChunkDispatchService>();
            builder.Services.AddHostedService<UploadExpiryService>();
            builder.Services.AddHostedService<WebhookDispatchService>();
            builder.Services.AddHostedService<WebhookDeliveryService>();
            builder.Services.AddHostedService<WebhookHistoryRetentionService>();
        }

        return builder;
    }

    public static WebApplication MapVideoApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRedactedRequestLog();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiKeys();
        app.Use(RejectOversizedApiBodies);
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = ReadinessResponse.WriteAsync,
        });
        app.MapVideoEndpoints();
        app.MapSearchEndpoints();
        app.MapInternalEndpoints();
        app.MapWebhookRoutes();
        app.MapLocalStorageEndpoints();
        app.MapPlaybackEndpoints();
        app.MapConsole();
        return app;
    }

    /// <summary>
    /// A declared body over the API's limit is refused before it is read. Kestrel's own limit
    /// (set above) still stops undeclared (chunked) bodies as they stream in.
    /// </summary>
    private static async Task RejectOversizedApiBodies(HttpContext context, RequestDelegate next)
    {
        // A caption upload is a form with a file: it may be as large as Captions:MaxBytes allows.
        var captions = CaptionEndpoints.IsUpload(context.Request);
        var limit = captions ? CaptionEndpoints.MaxBodyBytes(context) : MaxJsonBodyBytes;
        if (context.Request.Path.StartsWithSegments("/api") && context.Request.ContentLength > limit)
        {
            await ApiProblems.WriteAsync(context, ErrorCodes.PayloadTooLarge, captions
                ? $"A caption upload is limited to {limit} bytes (Captions:MaxBytes and the form around it)."
                : $"API request bodies are limited to {MaxJsonBodyBytes} bytes; video files go to the upload URL.");
            return;
        }

        if (captions && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Academy.Video.Api.Errors;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Academy.Video.Api.WebConsole;

/// <summary>
/// The web console at <c>/admin</c>: a single page built from <c>console/</c> by <c>build/console.sh</c>
/// and embedded in this assembly, so the API serves every file itself (no CDN, nothing next to the binary).
/// Every <c>/admin/*</c> path answers the page, which routes in the browser; <c>/admin/assets/*</c> are its
/// files. The page holds no secret: it asks for an API key and sends it in headers like any client.
/// </summary>
public static class ConsoleEndpoints
{
    public const string BasePath = "/admin";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var files = EmbeddedFiles();
        var contentSecurityPolicy = ConsoleContentSecurityPolicy.For(routes.ServiceProvider.GetRequiredService<IConfiguration>());
        var etags = new ConcurrentDictionary<string, EntityTagHeaderValue>(StringComparer.Ordinal);
        var console = routes.MapGroup(BasePath).ExcludeFromDescription();

        console.MapGet("/assets/{**file}", (string file, HttpContext context) =>
        {
            var info = files?.GetFileInfo("assets/" + file);
            if (info is null || !info.Exists || info.IsDirectory)
            {
                return Results.NotFound();
            }

            // Bundles carry a content hash in their names (app-3KX2….js) and never change; the rest is revalidated.
            context.Response.Headers.CacheControl = IsHashed(file) ? "public, max-age=31536000, immutable" : "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            var contentType = ContentTypes.TryGetContentType(file, out var type) ? type : "application/octet-stream";
            return Results.Stream(info.CreateReadStream(), contentType, lastModified: info.LastModified,
                entityTag: etags.GetOrAdd(file, _ => ETagOf(info)));
        });

        console.MapGet("/{**path}", (HttpContext context) =>
        {
            var page = files?.GetFileInfo("index.html");
            if (page is null || !page.Exists)
            {
                return ApiProblems.Result(ErrorCodes.ConsoleNotBuilt, "The web console is not built into this API: run build/console.sh, then build the API again.");
            }

            var headers = context.Response.Headers;
            headers.CacheControl = "no-cache";
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8", entityTag: etags.GetOrAdd("index.html", _ => ETagOf(page)));
        });
        return routes;
    }

    /// <summary>The files under <c>console/</c> in this assembly's manifest; null when the console was not built.</summary>
    private static ManifestEmbeddedFileProvider? EmbeddedFiles()
    {
        try
        {
            return new ManifestEmbeddedFileProvider(typeof(ConsoleEndpoints).Assembly, "console");
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static bool IsHashed(string file) =>
        System.Text.RegularExpressions.Regex.IsMatch(file, @"-[A-Z0-9]{8}\.(js|css)$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    private static EntityTagHeaderValue ETagOf(IFileInfo file)
    {
        using var stream = file.CreateReadStream();
        return new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(stream))[..16]}\"");
    }
}

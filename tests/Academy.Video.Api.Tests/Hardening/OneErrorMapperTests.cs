using System.Text.RegularExpressions;
using Academy.Video.Testing;

namespace Academy.Video.Api.Tests.Hardening;

/// <summary>
/// Every error answer of the API is built by the one mapper (Academy.Video.Api/Errors) and each code is defined once:
/// no endpoint, middleware or filter writes a problem answer or a code of its own.
/// </summary>
public sealed partial class OneErrorMapperTests
{
    private static readonly string ApiSource = Path.Combine(RepositoryLayout.Root, "Academy.Video.Api");

    [Fact]
    public void Outside_the_mapper_no_API_source_builds_a_problem_answer()
    {
        var offenders = SourceFiles(ApiSource)
            .Where(file => !file.StartsWith(Path.Combine(ApiSource, "Errors") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(l => ProblemBuilding().IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(RepositoryLayout.Root, l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_error_code_is_written_once_in_the_product()
    {
        var codes = new[] { "Academy.Video.Api", "Academy.Video.Application", "Academy.Video.Domain" }
            .SelectMany(project => SourceFiles(Path.Combine(RepositoryLayout.Root, project)))
            .SelectMany(file => CodeLiteral().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Where(code => code.StartsWith("PLAYBACK_TOKEN_", StringComparison.Ordinal) || ProductCodes.Contains(code))
            .GroupBy(code => code)
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.All(ProductCodes.Concat(["PLAYBACK_TOKEN_MISSING", "PLAYBACK_TOKEN_INVALID", "PLAYBACK_TOKEN_EXPIRED"]),
            code => Assert.True(codes.GetValueOrDefault(code) == 1, $"{code} is written {codes.GetValueOrDefault(code)} times"));
    }

    private static readonly string[] ProductCodes =
    [
        "UNAUTHORIZED", "API_KEY_IN_QUERY", "PAYLOAD_TOO_LARGE", "CONTENT_LENGTH_REQUIRED", "PART_NUMBER_OUT_OF_RANGE",
        "UPLOAD_URL_EXPIRED", "UPLOAD_URL_INVALID", "UPLOAD_TOO_LARGE", "UPLOAD_TOO_SMALL", "NO_SUCH_UPLOAD", "CONSOLE_NOT_BUILT",
        "INVALID_JSON", "VALIDATION_FAILED", "INVALID_VIDEO_STATE", "UPLOAD_MISSING", "UPLOAD_PARTS_INVALID",
    ];

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [GeneratedRegex(@"Results\.Problem\(|Results\.ValidationProblem\(|new ProblemDetails\b|IProblemDetailsService|\[ErrorCodes\.Key\]|IEndpointFilter")]
    private static partial Regex ProblemBuilding();

    [GeneratedRegex("\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|UNAUTHORIZED)\"")]
    private static partial Regex CodeLiteral();
}

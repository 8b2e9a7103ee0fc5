using System.Text.Json;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>
/// The API image, built by <c>build/api-image.sh</c> from the repository's Dockerfile on a local base, and
/// its smoke run as production runs it: <c>migrate</c> as a one-off container, then the API container
/// serving HTTP whose runner starts the worker image per job, against the test PostgreSQL and s3rver; a
/// video uploaded over HTTP must become READY. Skipped, with the reason, only where no Docker engine can start.
/// </summary>
public sealed class ApiImageTests(ApiImageTests.Smoke smoke, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ApiImageTests.Smoke>
{
    public const string Image = "academy-video-api:local-amd64";

    [SkippableFact]
    public void An_upload_over_HTTP_becomes_READY_through_the_API_and_worker_containers()
    {
        Skip.If(smoke.DockerUnavailable is not null, smoke.DockerUnavailable);

        Assert.True(smoke.Run!.ExitCode == 0, smoke.Run.ToString());
        // The build and time-to-READY figures, for the run's report.
        foreach (var line in smoke.Run.StandardError.Split('\n').Where(l => l.StartsWith("api-image: built", StringComparison.Ordinal) || l.Contains("smoke: OK", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        Assert.Contains("api-image: smoke: migrate as a one-off container", smoke.Run.StandardError, StringComparison.Ordinal);
        Assert.Matches(@"api-image: smoke: OK, video [0-9a-f-]{36} READY in \d+ s", smoke.Run.StandardError);
        Assert.Contains("\"event\":\"BATCH_JOB_COMPLETED\"", smoke.Run.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_image_runs_the_API_as_a_non_root_user_with_its_console_and_takes_an_operator_command_as_its_command()
    {
        Skip.If(smoke.DockerUnavailable is not null, smoke.DockerUnavailable);

        var inspect = await DockerCli.DockerAsync(["image", "inspect", Image, "--format", "{{json .Config}}"], TimeSpan.FromMinutes(1));
        var inside = await DockerCli.DockerAsync(
            ["run", "--rm", "--entrypoint", "sh", Image, "-c", "id -u; command -v ffmpeg || echo no-ffmpeg"], TimeSpan.FromMinutes(1));
        var unknown = await DockerCli.DockerAsync(["run", "--rm", Image, "no-such-command"], TimeSpan.FromMinutes(1));

        using var config = JsonDocument.Parse(inspect.StandardOutput);
        Assert.Equal(["/app/Academy.Video.Api"], config.RootElement.GetProperty("Entrypoint").EnumerateArray().Select(part => part.GetString()));
        Assert.Equal("app", config.RootElement.GetProperty("User").GetString());
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", config.RootElement.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.True(inside.ExitCode == 0, inside.ToString());
        Assert.Equal(["1654", "no-ffmpeg"], inside.OutputLines);
        // The container's command is the operator command: an unknown one is refused by the API binary in one line.
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.StartsWith("Unknown command 'no-such-command'. Commands: migrate,", unknown.StandardError.Trim(), StringComparison.Ordinal);
    }

    /// <summary>Builds the image and runs <c>build/api-image.sh --smoke</c> once for the class.</summary>
    public sealed class Smoke : IAsyncLifetime
    {
        public string? DockerUnavailable { get; private set; }

        public DockerCli.Result? Run { get; private set; }

        public async Task InitializeAsync()
        {
            var engine = await DockerCli.ScriptAsync("docker.sh", ["start"], TimeSpan.FromMinutes(10));
            if (engine.ExitCode != 0)
            {
                DockerUnavailable = "dockerd cannot start on this machine: " + engine.StandardError.Trim().Split('\n')[^1];
                return;
            }

            Run = await DockerCli.ScriptAsync("api-image.sh", ["--smoke"], TimeSpan.FromMinutes(45));
        }

        public Task DisposeAsync() => Task.CompletedTask;
    }
}

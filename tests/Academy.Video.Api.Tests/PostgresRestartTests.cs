using Academy.Video.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Persistence;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Academy.Video.Api.Tests;

/// <summary>
/// PostgreSQL restarted (pg_ctl restart) under a running API and a worker in the middle of its
/// encode. A cluster of its own, on a free port: the shared server is never touched.
/// </summary>
public sealed class PostgresRestartTests
{
    [Fact]
    public async Task A_database_restart_mid_encode_is_ridden_out_by_the_worker_and_the_API_without_a_second_attempt()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        var api = new RestartApiFactory(cluster.ConnectionString);
        await api.InitializeAsync();
        try
        {
            await RestartMidEncodeAsync(api, cluster);
        }
        finally
        {
            // The factory's own DisposeAsync drops its database; IAsyncDisposable would not.
            await api.DisposeAsync();
        }
    }

    private static async Task RestartMidEncodeAsync(RestartApiFactory api, PrivateCluster cluster)
    {
        var flow = new VideoFlow(api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(1920, 1080, 30));
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "PROCESSING", TimeSpan.FromMinutes(2), v => v.GetProperty("progressPercent").GetInt32() > 0);

        await cluster.RestartAsync();

        // The API answers again without being restarted (its pool drops the dead connections).
        var ready = await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(3));
        Assert.Equal(("SUCCEEDED", 1), (ready.GetProperty("job").GetProperty("state").GetString(), ready.GetProperty("job").GetProperty("attemptCount").GetInt32()));
        var attempt = Assert.Single(ready.GetProperty("attempts").EnumerateArray());
        Assert.Equal("SUCCEEDED", attempt.GetProperty("outcome").GetString());
        var readiness = await (await api.CreateClient().GetAsync("/readyz")).ReadJsonAsync();
        Assert.Equal("Healthy", readiness.GetProperty("status").GetString());
        Assert.True(cluster.Restarted);
    }

    [Fact]
    public async Task A_store_call_made_while_the_database_is_down_waits_for_it_to_come_back()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        var database = PostgresDatabase.On(cluster.ConnectionString);
        await database.InitializeAsync();
        try
        {
            var videos = new Academy.Video.Infrastructure.Persistence.PostgresVideoStore(database.DataSource, NamedPipelines.Postgres);
            var video = Academy.Video.Domain.Videos.LectureVideo.Create(Guid.NewGuid(), "t", "a.mp4", "video/mp4", DateTimeOffset.UtcNow);
            await videos.AddAsync(video, default);

            await cluster.StopAsync();
            var read = videos.FindAsync(video.Id, default);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(read.IsCompleted);
            await cluster.StartAgainAsync();

            Assert.Equal(video.Id, (await read.WaitAsync(TimeSpan.FromMinutes(1)))!.Id);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>The usual test API, on the private cluster, with a stuck threshold longer than a restart.</summary>
    private sealed class RestartApiFactory(string server) : VideoApiFactory
    {
        protected override PostgresDatabase CreateDatabase() => PostgresDatabase.On(server);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Jobs:StuckThreshold", "00:00:30");
        }
    }

    /// <summary>A PostgreSQL cluster of this test's own, run by build/postgres.sh on a free port and a temp data directory.</summary>
    private sealed class PrivateCluster : IAsyncDisposable
    {
        private readonly Dictionary<string, string> environment;

        private PrivateCluster(int port, string directory)
        {
            environment = new() { ["ACADEMY_PG_PORT"] = port.ToString(CultureInfo.InvariantCulture), ["ACADEMY_PG_DIR"] = directory };
            Directory = directory;
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        }

        public string ConnectionString { get; }

        public bool Restarted { get; private set; }

        private string Directory { get; }

        public static async Task<PrivateCluster> StartAsync()
        {
            var cluster = new PrivateCluster(FreePort(), Path.Combine(Path.GetTempPath(), $"academy-video-pg-restart-{Guid.NewGuid():N}"));
            await cluster.RunAsync("start");
            return cluster;
        }

        public async Task RestartAsync()
        {
            await RunAsync("restart");
            Restarted = true;
        }

        public Task StopAsync() => RunAsync("stop");

        public Task StartAgainAsync() => RunAsync("start");

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync("stop");
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }

        private async Task RunAsync(string command)
        {
            var start = new ProcessStartInfo(Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, "build", "postgres.sh"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(command);
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"postgres.sh {command} failed: {await output}{errors}");
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }
}

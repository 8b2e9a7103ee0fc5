using System.Diagnostics;
using System.Globalization;
using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Runners.Local;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// An attempt is a process group: whatever ends the worker, nothing it started outlives it, and its workspace goes
/// with it. Real <c>/bin/sh</c> workers that start real grandchildren; /proc is the witness.
/// </summary>
public sealed class LocalRunnerProcessGroupTests : IAsyncLifetime
{
    // Starts two grandchildren (one of them one level deeper) and writes scratch files where the runner told it to.
    // The pid file is complete before "ready" is printed.
    private const string FamilyPrelude = """
        pids="$WORK/pids-$VIDEO_JOB_ID"
        sleep 300 &
        echo $! >> "$pids"
        sh -c 'sleep 300 & echo $! >> "$0"; wait' "$pids" &
        echo $! >> "$pids"
        while [ "$(wc -l < "$pids")" -lt 3 ]; do sleep 0.05; done
        mkdir -p "$Worker__WorkDirectory/job-a1/hls" "$Storage__Local__TemporaryDirectory"
        echo segment > "$Worker__WorkDirectory/job-a1/hls/seg_000.ts"
        echo partial > "$Storage__Local__TemporaryDirectory/0123.partial"
        echo ready
        """;

    private readonly LocalRunnerTestKit kit = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await kit.DisposeAsync();

    [Fact]
    public async Task SIGKILL_of_the_worker_from_outside_ends_its_whole_group_and_removes_its_workspace()
    {
        var runner = kit.CreateRunner(FamilyPrelude + "\nwait");
        var jobId = Guid.NewGuid();
        var runnerJobId = await runner.SubmitAsync(jobId, "video-family", CancellationToken.None);
        await LocalRunnerTestKit.WaitForLogAsync(runner, runnerJobId, "ready");
        var grandchildren = GrandchildrenOf(jobId);
        var worker = ProcessTable.Find(grandchildren[0])!.ProcessGroupId;
        var workspace = kit.WorkspaceOf(runnerJobId);

        Assert.Equal(worker, ProcessTable.Find(worker)!.ProcessGroupId); // the worker leads its own group...
        Assert.NotEqual(Environment.ProcessId, worker);
        Assert.All(grandchildren, pid => Assert.Equal(worker, ProcessTable.Find(pid)!.ProcessGroupId)); // ...which its children share
        Assert.True(File.Exists(Path.Combine(workspace, "work", "job-a1", "hls", "seg_000.ts")));
        Assert.True(File.Exists(Path.Combine(workspace, "uploads", "0123.partial")));

        Kill("-KILL", worker);
        var status = await LocalRunnerTestKit.WaitForEndAsync(runner, runnerJobId);

        // The ended status is written after the group is gone and the workspace removed: no waiting needed here.
        Assert.Equal(("FAILED", 128 + 9), (status.Status, status.ExitCode));
        Assert.All(grandchildren, pid => Assert.False(ProcessTable.IsAlive(pid), $"grandchild {pid} outlived its worker"));
        Assert.Empty(ProcessTable.LiveInGroup(worker));
        Assert.False(Directory.Exists(workspace), "the attempt's workspace (work folder and partial uploads) was left behind");
        Assert.Contains("ready", await File.ReadAllTextAsync(status.LogStreamName!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_that_exits_0_leaving_a_child_behind_succeeds_and_the_child_is_killed()
    {
        var runner = kit.CreateRunner("""
            sleep 300 &
            echo $! > "$WORK/orphan-$VIDEO_JOB_ID"
            echo "done"
            """);
        var jobId = Guid.NewGuid();

        var runnerJobId = await runner.SubmitAsync(jobId, "video-orphan", CancellationToken.None);
        var status = await LocalRunnerTestKit.WaitForEndAsync(runner, runnerJobId);

        var orphan = int.Parse(await File.ReadAllTextAsync(Path.Combine(kit.Work, $"orphan-{jobId}")), CultureInfo.InvariantCulture);
        Assert.Equal(("SUCCEEDED", 0), (status.Status, status.ExitCode));
        Assert.False(ProcessTable.IsAlive(orphan), "the worker's background child outlived it");
        // The orphan held the log pipe open; with it killed the output is complete.
        Assert.Contains("done", await File.ReadAllTextAsync(status.LogStreamName!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_timeout_the_worker_gets_SIGTERM_and_after_the_grace_period_its_whole_group_gets_SIGKILL()
    {
        // Both the worker and its child note SIGTERM and carry on; only SIGKILL ends them.
        var runner = kit.CreateRunner("""
            trap 'echo "worker got TERM"' TERM
            sh -c 'trap "echo child got TERM" TERM; while :; do sleep 300 & wait $!; done' &
            echo $! > "$WORK/child-$VIDEO_JOB_ID"
            echo started
            while :; do sleep 300 & wait $!; done
            """, options =>
        {
            options.Timeout = TimeSpan.FromSeconds(1);
            options.TerminationGracePeriod = TimeSpan.FromSeconds(3);
        });
        var jobId = Guid.NewGuid();

        var runnerJobId = await runner.SubmitAsync(jobId, "video-stubborn-family", CancellationToken.None);
        var status = await LocalRunnerTestKit.WaitForEndAsync(runner, runnerJobId);

        var log = await File.ReadAllTextAsync(status.LogStreamName!);
        var child = int.Parse(await File.ReadAllTextAsync(Path.Combine(kit.Work, $"child-{jobId}")), CultureInfo.InvariantCulture);
        Assert.Equal(("FAILED", 128 + 9), (status.Status, status.ExitCode));
        Assert.Contains("timeout", status.StatusReason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("worker got TERM", log, StringComparison.Ordinal);
        // SIGTERM goes to the worker alone, which stops its own children (as ECS and systemd's KillMode=mixed do)...
        Assert.DoesNotContain("child got TERM", log, StringComparison.Ordinal);
        // ...and SIGKILL to the whole group.
        Assert.False(ProcessTable.IsAlive(child), "the worker's child survived the SIGKILL");
        Assert.False(Directory.Exists(kit.WorkspaceOf(runnerJobId)));
    }

    [Fact]
    public async Task Terminate_ends_the_whole_group_even_when_the_worker_leaves_its_children_running()
    {
        var runner = kit.CreateRunner(FamilyPrelude + """

            trap 'exit 143' TERM
            while :; do sleep 300 & wait $!; done
            """);
        var jobId = Guid.NewGuid();
        var runnerJobId = await runner.SubmitAsync(jobId, "video-terminated-family", CancellationToken.None);
        await LocalRunnerTestKit.WaitForLogAsync(runner, runnerJobId, "ready");
        var grandchildren = GrandchildrenOf(jobId);

        await runner.TerminateAsync(runnerJobId, "Superseded", CancellationToken.None);
        var status = await LocalRunnerTestKit.WaitForEndAsync(runner, runnerJobId);

        Assert.Equal(("FAILED", "Superseded", 143), (status.Status, status.StatusReason, status.ExitCode));
        Assert.All(grandchildren, pid => Assert.False(ProcessTable.IsAlive(pid), $"grandchild {pid} outlived its terminated worker"));
        Assert.False(Directory.Exists(kit.WorkspaceOf(runnerJobId)));
    }

    [Fact]
    public async Task The_supervisor_reports_the_exit_of_a_leader_killed_from_outside()
    {
        using var child = ChildProcessSupervisor.Start(
            new ChildProcessStartInfo("sleep", ["300"], new Dictionary<string, string>()),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var waiting = child.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        await LocalRunnerTestKit.WaitUntilAsync(() => ProcessTable.Find(child.Id)?.Name == "sleep", "setsid to exec sleep");
        Assert.Equal(child.Id, ProcessTable.Find(child.Id)!.ProcessGroupId);

        Kill("-KILL", child.Id);
        var exit = await waiting.WaitAsync(LocalRunnerTestKit.WaitLimit);

        Assert.Equal(new ChildProcessExit(128 + 9, Stopped: false, Killed: false, GroupEnded: true), exit);
    }

    private IReadOnlyList<int> GrandchildrenOf(Guid jobId) =>
        File.ReadAllLines(Path.Combine(kit.Work, $"pids-{jobId}")).Select(line => int.Parse(line, CultureInfo.InvariantCulture)).ToList();

    private static void Kill(string signal, int processId)
    {
        using var kill = Process.Start("kill", [signal, processId.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}

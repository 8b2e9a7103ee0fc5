using Academy.Video.Worker;

// One container = one unit of work = exit (docs/contract.md §1): a transcode job (argv[1] or VIDEO_JOB_ID), or
// `caption <generation-id>`, a caption generation (docs/decisions/0017-caption-generation-unit-of-work.md).
var caption = args is [WorkerHost.CaptionCommand, ..];
var rest = caption ? args[1..] : args;
// `<job-id> --chunk k` (or `--chunk k <job-id>`, as the local runner puts it): one chunk of a chunked job (docs/decisions/0023-chunked-encoding.md).
var chunk = WorkerHost.ChunkArgument(rest);
if (chunk.Error is not null)
{
    WorkerHost.WriteStartupError(chunk.Error);
    return 1;
}

rest = WorkerHost.WithoutChunkArgument(rest);
var jobId = WorkerJobId.Resolve(rest, Environment.GetEnvironmentVariable(WorkerJobId.EnvironmentVariable));
if (jobId.Error is not null)
{
    WorkerHost.WriteStartupError(jobId.Error);
    return 1;
}

var builder = Host.CreateApplicationBuilder(rest.Skip(1).Where(a => a.Contains('=')).ToArray());
builder.AddVideoWorker();
using var host = builder.Build();
return caption ? await host.RunCaptionAsync(jobId.Value)
    : chunk.Index is { } index ? await host.RunChunkAsync(jobId.Value, index)
    : await host.RunJobAsync(jobId.Value);

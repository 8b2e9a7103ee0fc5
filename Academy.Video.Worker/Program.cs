using Academy.Video.Worker;

// One container = one job = exit (docs/contract.md §1). The job id comes from VIDEO_JOB_ID or argv[1].
var jobId = WorkerJobId.Resolve(args, Environment.GetEnvironmentVariable(WorkerJobId.EnvironmentVariable));
if (jobId.Error is not null)
{
    WorkerHost.WriteStartupError(jobId.Error);
    return 1;
}

var builder = Host.CreateApplicationBuilder(args.Skip(1).Where(a => a.Contains('=')).ToArray());
builder.AddVideoWorker();
using var host = builder.Build();
return await host.RunJobAsync(jobId.Value);

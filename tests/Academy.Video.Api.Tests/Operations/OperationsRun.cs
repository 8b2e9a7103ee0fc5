using Academy.Video.Infrastructure.Runners;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>One operator command run in process, through the same entry as <c>Academy.Video.Api &lt;verb&gt;</c>.</summary>
internal sealed record OperationsRun(int ExitCode, string Output, string Error)
{
    public static async Task<OperationsRun> RunAsync(string command, IEnumerable<KeyValuePair<string, string?>> settings, params string[] flags)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await ApiCommands.RunAsync(command, flags, output, error, builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            // The fake AWS account's key; the product otherwise resolves the default credential chain.
            builder.Services.AddKeyedSingleton<AWSCredentials>(RunnerServiceCollectionExtensions.BatchCredentialsKey,
                new BasicAWSCredentials(FakeAws.AccessKey, FakeAws.SecretKey));
        });
        return new OperationsRun(exit, output.ToString(), error.ToString());
    }

    public IReadOnlyList<string> Lines => Output.Split('\n', StringSplitOptions.TrimEntries);

    /// <summary>The report line of a check: <c>NAME: STATUS (detail)</c>.</summary>
    public string Check(string name) =>
        Lines.SingleOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"No {name} line in:\n{Output}\n{Error}");

    public IReadOnlyList<string> Hints =>
        Lines.SkipWhile(l => !l.StartsWith("ROOT_CAUSE_HINTS:", StringComparison.Ordinal)).Skip(1).Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

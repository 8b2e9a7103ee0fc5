using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Resilience;
using Microsoft.Extensions.Logging;
using Polly.Registry;

namespace Academy.Video.Operations.Aws;

/// <summary>STS over the query protocol: who the configured credentials are (diagnose-infra AWS_ACCESS).</summary>
public sealed class AwsStsClient
{
    public const string ApiVersion = "2011-06-15";

    public static readonly AwsOperation GetCallerIdentity = new("sts", "GetCallerIdentity");

    private readonly AwsQueryProtocol protocol;

    public AwsStsClient(HttpClient httpClient, ResiliencePipelineProvider<string> pipelines, ILogger<AwsStsClient> logger)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        protocol = new AwsQueryProtocol(httpClient, pipelines.GetPipeline(ResiliencePipelines.Aws), logger, ApiVersion);
    }

    public async Task<(string Account, string Arn, string UserId)> GetCallerIdentityAsync(CancellationToken cancellationToken)
    {
        var result = await protocol.SendAsync(GetCallerIdentity, [], cancellationToken);
        return (AwsQueryProtocol.Text(result, "Account") ?? "", AwsQueryProtocol.Text(result, "Arn") ?? "", AwsQueryProtocol.Text(result, "UserId") ?? "");
    }
}

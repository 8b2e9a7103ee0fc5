using Academy.Video.Infrastructure.Aws;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Aws;

/// <summary>STS over the query protocol: who the configured credentials are (diagnose-infra AWS_ACCESS).</summary>
public sealed class AwsStsClient
{
    public const string ApiVersion = "2011-06-15";

    public static readonly AwsOperation GetCallerIdentity = new("sts", "GetCallerIdentity");

    private readonly AwsQueryProtocol protocol;

    public AwsStsClient(HttpClient httpClient, IOptions<AwsClientOptions> options, ILogger<AwsStsClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        protocol = new AwsQueryProtocol(httpClient, AwsRetry.Pipeline(options.Value.MaxRetryAttempts, options.Value.RetryBaseDelay, logger), ApiVersion);
    }

    public async Task<(string Account, string Arn, string UserId)> GetCallerIdentityAsync(CancellationToken cancellationToken)
    {
        var result = await protocol.SendAsync(GetCallerIdentity, [], cancellationToken);
        return (AwsQueryProtocol.Text(result, "Account") ?? "", AwsQueryProtocol.Text(result, "Arn") ?? "", AwsQueryProtocol.Text(result, "UserId") ?? "");
    }
}

using System.Net;
using System.Xml.Linq;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Resilience;
using Microsoft.Extensions.Logging;
using Polly.Registry;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// IAM over the query protocol, read-only: a role, its trust policy, and the documents of its attached
/// and inline policies. IAM returns policy documents URL-encoded (RFC 3986); they are decoded here.
/// </summary>
public sealed class AwsIamClient
{
    public const string ApiVersion = "2010-05-08";

    public static readonly AwsOperation GetRole = new("iam", "GetRole");
    public static readonly AwsOperation ListAttachedRolePolicies = new("iam", "ListAttachedRolePolicies");
    public static readonly AwsOperation ListRolePolicies = new("iam", "ListRolePolicies");
    public static readonly AwsOperation GetRolePolicy = new("iam", "GetRolePolicy");
    public static readonly AwsOperation GetPolicy = new("iam", "GetPolicy");
    public static readonly AwsOperation GetPolicyVersion = new("iam", "GetPolicyVersion");

    private readonly AwsQueryProtocol protocol;

    public AwsIamClient(HttpClient httpClient, ResiliencePipelineProvider<string> pipelines, ILogger<AwsIamClient> logger)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        protocol = new AwsQueryProtocol(httpClient, pipelines.GetPipeline(ResiliencePipelines.Aws), logger, ApiVersion);
    }

    /// <summary>The role and its decoded trust policy; null when IAM has no such role.</summary>
    public async Task<(string Name, string Arn, string TrustPolicy)?> GetRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        try
        {
            var result = await protocol.SendAsync(GetRole, [new("RoleName", roleName)], cancellationToken);
            var role = AwsQueryProtocol.Child(result, "Role") ?? result;
            return (AwsQueryProtocol.Child(role, "RoleName")?.Value ?? roleName, AwsQueryProtocol.Child(role, "Arn")?.Value ?? "",
                Decode(AwsQueryProtocol.Child(role, "AssumeRolePolicyDocument")?.Value));
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "NoSuchEntity" || ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<(string Name, string Arn)>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken)
    {
        var policies = new List<(string, string)>();
        await foreach (var result in PagesAsync(ListAttachedRolePolicies, [new("RoleName", roleName)], cancellationToken))
        {
            policies.AddRange(AwsQueryProtocol.Members(result, "AttachedPolicies")
                .Select(m => (AwsQueryProtocol.Text(m, "PolicyName") ?? "", AwsQueryProtocol.Text(m, "PolicyArn") ?? "")));
        }

        return policies;
    }

    public async Task<IReadOnlyList<string>> ListRolePoliciesAsync(string roleName, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var result in PagesAsync(ListRolePolicies, [new("RoleName", roleName)], cancellationToken))
        {
            names.AddRange(AwsQueryProtocol.Members(result, "PolicyNames").Select(m => m.Value));
        }

        return names;
    }

    /// <summary>The decoded JSON document of an inline policy.</summary>
    public async Task<string> GetRolePolicyDocumentAsync(string roleName, string policyName, CancellationToken cancellationToken)
    {
        var result = await protocol.SendAsync(GetRolePolicy, [new("RoleName", roleName), new("PolicyName", policyName)], cancellationToken);
        return Decode(AwsQueryProtocol.Text(result, "PolicyDocument"));
    }

    /// <summary>The decoded JSON document of a managed policy's default version (GetPolicy, then GetPolicyVersion).</summary>
    public async Task<string> GetDefaultPolicyDocumentAsync(string policyArn, CancellationToken cancellationToken)
    {
        var policy = await protocol.SendAsync(GetPolicy, [new("PolicyArn", policyArn)], cancellationToken);
        var version = AwsQueryProtocol.Text(policy, "DefaultVersionId")
            ?? throw new AwsServiceException(GetPolicy, HttpStatusCode.OK, "InvalidResponse", $"{policyArn} has no DefaultVersionId");
        var document = await protocol.SendAsync(GetPolicyVersion, [new("PolicyArn", policyArn), new("VersionId", version)], cancellationToken);
        return Decode(AwsQueryProtocol.Text(document, "Document"));
    }

    /// <summary>Follows <c>IsTruncated</c>/<c>Marker</c> pagination.</summary>
    private async IAsyncEnumerable<XElement> PagesAsync(
        AwsOperation operation, KeyValuePair<string, string>[] parameters, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var page = await protocol.SendAsync(operation, marker is null ? parameters : [.. parameters, new("Marker", marker)], cancellationToken);
            yield return page;
            marker = AwsQueryProtocol.Text(page, "IsTruncated") == "true" ? AwsQueryProtocol.Text(page, "Marker") : null;
        }
        while (marker is not null);
    }

    private static string Decode(string? encoded) => string.IsNullOrEmpty(encoded) ? "{}" : Uri.UnescapeDataString(encoded);
}

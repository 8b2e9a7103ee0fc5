using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Academy.Video.Infrastructure.Runners.Batch;

/// <summary>
/// The SDK's default credential chain (environment, web identity, shared profile, container, instance
/// role), resolved when the first request is signed rather than when the client is built. When the chain
/// finds nothing, each signed call fails with <see cref="AwsCredentialsUnavailableException"/>, whose one
/// line names every provider tried; building a client never throws, so a check reports it as its FAIL
/// instead of the process ending on the SDK's exception. A failed resolution is not kept: the next call
/// tries the chain again (a container's credentials may arrive late).
/// </summary>
public sealed class DefaultChainCredentials : AWSCredentials
{
    private readonly Lock gate = new();
    private AWSCredentials? resolved;

    public override ImmutableCredentials GetCredentials() => Resolve().GetCredentials();

    public override Task<ImmutableCredentials> GetCredentialsAsync() => Resolve().GetCredentialsAsync();

    private AWSCredentials Resolve()
    {
        lock (gate)
        {
            if (resolved is not null)
            {
                return resolved;
            }

            try
            {
                return resolved = DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (AmazonClientException ex)
            {
                throw new AwsCredentialsUnavailableException(ex);
            }
        }
    }
}

/// <summary>
/// No AWS credentials. The message is one line naming the providers of the SDK's default chain, in the
/// order it tries them; what each one said is kept in the inner exception.
/// </summary>
public sealed class AwsCredentialsUnavailableException(AmazonClientException inner)
    : Exception(
        "no AWS credentials: the default chain found none (tried environment AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
        + "web identity AWS_WEB_IDENTITY_TOKEN_FILE, profile AWS_PROFILE or 'default' in ~/.aws, ECS container credentials, "
        + "EC2 instance metadata)",
        inner);

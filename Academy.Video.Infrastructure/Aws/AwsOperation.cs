namespace Academy.Video.Infrastructure.Aws;

/// <summary>
/// One AWS API operation a client of this product can call. Every hand-written AWS client declares
/// each operation it calls as a <c>public static readonly AwsOperation</c> field and sends through
/// it, so the list of operations the product needs (and the IAM actions the infrastructure
/// template must allow) is read from the clients themselves, never from a second list.
/// </summary>
/// <param name="Service">The IAM service prefix: <c>batch</c>, <c>iam</c>, <c>sts</c>, <c>logs</c>.</param>
/// <param name="Name">The operation name as AWS documents it: <c>SubmitJob</c>.</param>
/// <param name="Path">The request path for REST-JSON operations (<c>/v1/submitjob</c>); null for protocols that post to <c>/</c>.</param>
public sealed record AwsOperation(string Service, string Name, string? Path = null)
{
    /// <summary>The IAM action that allows this operation: <c>batch:SubmitJob</c>.</summary>
    public string IamAction => $"{Service}:{Name}";

    public override string ToString() => IamAction;
}

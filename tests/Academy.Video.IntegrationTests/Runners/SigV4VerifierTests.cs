namespace Academy.Video.IntegrationTests.Runners;

/// <summary>The verifier the Batch wire tests rely on must itself agree with AWS's published SigV4 test suite.</summary>
public sealed class SigV4VerifierTests
{
    [Fact]
    public void Accepts_the_aws_get_vanilla_test_vector_and_rejects_a_tampered_copy()
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = "example.amazonaws.com",
            ["x-amz-date"] = "20150830T123600Z",
            ["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
                "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        };
        const string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

        var genuine = SigV4Verifier.Verify("GET", "/", string.Empty, headers, [], secret);
        var tamperedPath = SigV4Verifier.Verify("GET", "/other", string.Empty, headers, [], secret);
        var tamperedBody = SigV4Verifier.Verify("GET", "/", string.Empty, headers, [1], secret);

        Assert.True(genuine.IsValid, genuine.Detail);
        Assert.False(tamperedPath.IsValid);
        Assert.False(tamperedBody.IsValid);
    }
}

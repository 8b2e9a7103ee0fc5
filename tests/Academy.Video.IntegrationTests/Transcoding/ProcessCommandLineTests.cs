using System.Diagnostics;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.IntegrationTests.Transcoding;

public sealed class ProcessCommandLineTests
{
    [Fact]
    public void Plain_arguments_are_joined_unquoted()
    {
        Assert.Equal("-i /tmp/in.mp4 -filter_complex [0:v]split=2[a][b]", ProcessCommandLine.Join(["-i", "/tmp/in.mp4", "-filter_complex", "[0:v]split=2[a][b]"]));
    }

    [Theory]
    [InlineData("/tmp/with space/in.mp4")]
    [InlineData("")]
    [InlineData("say \"hi\"")]
    [InlineData("trailing\\")]
    [InlineData("tab\there \\\"x\\\\")]
    [InlineData("v:0,a:0,name:1080p v:1,a:1,name:720p")]
    [InlineData("it's $HOME ; `x`")]
    public void A_real_process_receives_exactly_the_arguments_given(string tricky)
    {
        string[] arguments = ["first", tricky, "last"];
        // printf prints each argument between '<' and '>': what the child received, one per argument.
        var start = new ProcessStartInfo("printf", ProcessCommandLine.Join(["<%s>", .. arguments])) { RedirectStandardOutput = true };

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(string.Concat(arguments.Select(a => $"<{a}>")), output);
    }
}

using Academy.Video.Operations.Application.SmokeSubmit;

namespace Academy.Video.Operations.Infrastructure;

/// <summary>
/// The canary clip, embedded in this assembly so every deployment of the API has it: 2 s of 160x90
/// testsrc2 at 15 fps with a mono 440 Hz tone, H.264 + AAC, 12 KB, made once with
/// <c>ffmpeg -f lavfi -i testsrc2=size=160x90:rate=15:duration=2 -f lavfi -i sine=frequency=440:sample_rate=22050:duration=2
/// -c:v libx264 -preset veryslow -crf 42 -pix_fmt yuv420p -c:a aac -b:a 16k -ac 1 -movflags +faststart -shortest canary.mp4</c>.
/// </summary>
public sealed class EmbeddedCanaryClip : ICanaryClip
{
    public const string ResourceName = "Academy.Video.Operations.canary.mp4";

    public string FileName => "canary.mp4";

    public string ContentType => "video/mp4";

    public Stream Open() =>
        typeof(EmbeddedCanaryClip).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The canary clip {ResourceName} is not embedded in this build.");
}

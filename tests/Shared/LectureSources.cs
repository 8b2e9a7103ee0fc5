using System.Globalization;
using System.Text;

namespace Academy.Video.Testing;

/// <summary>A generated slide lecture: the ffmpeg arguments that write it and the times its slides change.</summary>
/// <param name="ChangeSeconds">When slide 2, 3, … appears (slide 1 from 0).</param>
public sealed record GeneratedLecture(IReadOnlyList<string> Arguments, IReadOnlyList<double> ChangeSeconds, double DurationSeconds);

/// <summary>
/// Lectures made by ffmpeg's own sources for the chapters tests and benchmark (docs/encoding.md, Chapters): a slide
/// lecture on one template (title bar, title, bullets, a figure on every other slide) with a pointer that never stops and
/// animated builds (bullets appearing one by one), and a camera lecture (a room, a lecturer who stands, sways and walks,
/// sensor noise) with no slides.
/// </summary>
public static class LectureSources
{
    private const string Font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    private const string BoldFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    private static readonly string[] Words =
    [
        "gradient", "descent", "matrix", "entropy", "vector", "kernel", "sampling", "variance", "the", "of", "proof", "lemma",
        "convergence", "bound", "estimate", "regression", "network", "layer", "loss", "function", "data", "model", "error", "rate",
    ];

    private static readonly string[] FigureColours = ["0xd9534f", "0x5cb85c", "0xf0ad4e", "0x5bc0de", "0x8e44ad", "0x34495e"];

    public static GeneratedLecture Slides(int slides, double durationSeconds, int width, int height, string output, int framesPerSecond = 25)
    {
        var random = new Random(slides * 7919 + (int)durationSeconds);
        var weights = Enumerable.Range(0, slides).Select(_ => 0.5 + random.NextDouble()).ToList();
        var scale = durationSeconds / weights.Sum();
        var starts = new List<double> { 0 };
        foreach (var w in weights.Take(slides - 1))
        {
            // Changes fall on the 25 fps grid so a frame carries the exact change.
            starts.Add(Math.Round((starts[^1] + (w * scale)) * 25) / 25);
        }

        var title = height * 16 / 100;
        var titleSize = height / 13;
        var bulletSize = height / 18;
        var chain = new StringBuilder(Invariant($"color=c=white:s={width}x{height}:r={framesPerSecond}:d={Number(durationSeconds)},drawbox=x=0:y=0:w=iw:h={title}:color=0x1f4e79:t=fill"));
        for (var i = 0; i < slides; i++)
        {
            var from = starts[i];
            var to = i + 1 < slides ? starts[i + 1] : durationSeconds + 1;
            var shown = Invariant($"gte(t,{Number(from)})*lt(t,{Number(to)})");
            var titleText = $"{i + 1}. {Phrase(random, 2 + random.Next(4))}";
            chain.Append(Invariant($",drawtext=fontfile={BoldFont}:text='{titleText}':fontsize={titleSize}:fontcolor=white:x=w*0.05:y={title / 4}:enable='{shown}'"));
            var bullets = 2 + random.Next(4);
            // Every fourth slide builds: its bullets after the second appear one by one, four seconds apart.
            var builds = i % 4 == 2 && to - from >= 16;
            for (var b = 0; b < bullets; b++)
            {
                var appears = builds && b >= 2 ? from + (4 * (b - 1)) : from;
                var when = Invariant($"gte(t,{Number(appears)})*lt(t,{Number(to)})");
                var y = title + (height / 12) + (b * height * 11 / 100);
                chain.Append(Invariant($",drawtext=fontfile={Font}:text='- {Phrase(random, 3 + random.Next(5))}':fontsize={bulletSize}:fontcolor=0x222222:x=w*0.06:y={y}:enable='{when}'"));
            }

            if (i % 2 == 1)
            {
                chain.Append(Invariant($",drawbox=x=iw*0.66:y=ih*{Number(0.3 + (0.1 * random.NextDouble()))}:w=iw*0.28:h=ih*0.4:color={FigureColours[i % FigureColours.Length]}:t=fill:enable='{shown}'"));
            }
        }

        chain.Append("[slides];");
        // The pointer: a red dot that never rests, over everything.
        chain.Append(Invariant($"color=c=red:s={Math.Max(4, width / 64)}x{Math.Max(4, width / 64)}:r={framesPerSecond}[dot];"));
        chain.Append("[slides][dot]overlay=x='W*0.5+W*0.4*sin(t/3)':y='H*0.55+H*0.3*sin(t/2.3)':shortest=1:eval=frame,format=yuv420p");
        return new GeneratedLecture(Encode(chain.ToString(), output), starts.Skip(1).ToList(), durationSeconds);
    }

    /// <summary>A lecturer filmed in a room: stands (swaying) for 20 s, walks for 4 s to another place, again and again.</summary>
    public static IReadOnlyList<string> Camera(double durationSeconds, int width, int height, string output, int framesPerSecond = 25)
    {
        var graph = Invariant($"color=c=0x50585f:s={width}x{height}:r={framesPerSecond}:d={Number(durationSeconds)},")
            + "drawbox=x=iw*0.1:y=ih*0.12:w=iw*0.8:h=ih*0.45:color=0xe8e8e0:t=fill,"
            + "drawbox=x=0:y=ih*0.8:w=iw:h=ih*0.2:color=0x6b4f3a:t=fill[room];"
            + Invariant($"color=c=0x2c3e70:s={width * 15 / 100}x{height * 55 / 100}:r={framesPerSecond}[person];")
            + "[room][person]overlay=x='W*0.4+W*0.3*sin(1.3*(floor(t/24)+clip((mod(t,24)-20)/4,0,1)))':y='H*0.35+2*sin(t*2)':shortest=1:eval=frame,"
            + "noise=alls=8:allf=t,format=yuv420p";
        return Encode(graph, output);
    }

    private static List<string> Encode(string graph, string output) =>
    [
        "-hide_banner", "-loglevel", "error", "-y", "-filter_complex", graph,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "250", "-pix_fmt", "yuv420p", output,
    ];

    private static string Phrase(Random random, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

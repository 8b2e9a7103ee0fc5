using System.Globalization;
using System.Text;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// The one filter graph of a run: the ladder's decode converted once and split into one scaled stream per encoded
/// rendition (<c>[v0]</c>, <c>[v1]</c>, …), and from the same decode the poster (<c>[poster]</c>) and the storyboard
/// sprite (<c>[storyboard]</c>) and the small gray copy the slide changes are found in (<c>[slides]</c>, docs/encoding.md,
/// Chapters). A resumed run's storyboard and gray copy join the part before its start (input <c>head</c>) to the ladder's.
/// </summary>
internal static class HlsFilterGraph
{
    /// <param name="encoded">The renditions encoded from the decode (all but a copied top one).</param>
    /// <param name="ladder">The input the ladder is decoded from.</param>
    /// <param name="head">A resumed run's input for the part before its start; unused otherwise.</param>
    /// <returns>The graph, or an empty string when the run decodes nothing (one copied rendition, no poster or storyboard).</returns>
    /// <param name="thinning">A filter each encoded rendition's frames go through before it is scaled (the slides profile's frame thinning); null for none.</param>
    public static string Build(HlsEncodeRequest request, IReadOnlyList<Rendition> encoded, HlsCommand command, int ladder, int head, string? thinning = null)
    {
        var extras = command.PosterAndStoryboard;
        if (encoded.Count == 0 && !extras)
        {
            return string.Empty;
        }

        var resume = command.Resume;
        var posterAt = Poster.TimeFor(request.Source.Duration.TotalSeconds, request.PosterAtSeconds);
        // In a resumed run the poster comes from the part before the resume point when it lies there (a second to spare).
        var posterInHead = extras && resume is not null && posterAt + 1 <= resume.Seconds;
        var graph = new StringBuilder();
        AppendLadder(graph, encoded, command, ladder, extras, posterInHead, thinning);
        if (!extras)
        {
            return graph.ToString();
        }

        AppendStoryboard(graph, request, resume, head, posterInHead);
        var top = request.Renditions[0];
        graph.Append(CultureInfo.InvariantCulture, $";[ps]select='gte(t,{HlsCuts.Seconds(posterAt)})*isnan(prev_selected_t)',scale={top.Width}:{top.Height}:out_range=full,setsar=1,format=yuv420p[poster]");
        var slides = FfmpegSlideChanges.Filter;
        graph.Append(resume is null
            ? $";[sc]{slides}[slides]"
            : $";[hc]{slides}[c0];[sc]{slides}[c1];[c0][c1]concat=n=2:v=1:a=0[slides]");
        return graph.ToString();
    }

    /// <summary>One conversion to 8-bit 4:2:0 (what every H.264 player decodes) before the split, not one per rendition.</summary>
    private static void AppendLadder(StringBuilder graph, IReadOnlyList<Rendition> encoded, HlsCommand command, int ladder, bool extras, bool posterInHead, string? thinning)
    {
        var outputs = encoded.Select((_, i) => $"[s{i}]").ToList();
        if (extras)
        {
            outputs.Add("[tail]");
            if (!posterInHead)
            {
                outputs.Add("[ps]");
            }

            outputs.Add("[sc]");
        }

        var bounds = new List<string>();
        if (command.Resume is { } resume)
        {
            bounds.Add($"start={HlsCuts.LadderTrimStart(resume)}");
        }

        if (command.End is { } end)
        {
            // A chunk's end is the next chunk's start, cut at the same time: each frame belongs to one chunk (decision 0023).
            bounds.Add($"end={HlsCuts.LadderTrimStart(end)}");
        }

        var trim = bounds.Count > 0 ? $"trim={string.Join(':', bounds)}," : "";
        graph.Append(CultureInfo.InvariantCulture, $"[{ladder}:v]{trim}format=yuv420p,split={outputs.Count}{string.Concat(outputs)}");
        for (var i = 0; i < encoded.Count; i++)
        {
            var r = encoded[i];
            graph.Append(CultureInfo.InvariantCulture, $";[s{i}]{(thinning is null ? "" : thinning + ",")}scale={r.Width}:{r.Height},setsar=1[v{i}]");
        }
    }

    private static void AppendStoryboard(StringBuilder graph, HlsEncodeRequest request, HlsResumeStart? resume, int head, bool posterInHead)
    {
        var storyboard = FfmpegHlsArguments.Storyboard(request);
        var tile = $"scale={storyboard.TileWidth}:{storyboard.TileHeight}:out_range=full,setsar=1,format=yuv420p";
        var interval = HlsCuts.Seconds(storyboard.IntervalSeconds);
        // Tile i is the first frame at or after i x interval: a frame is taken when the interval it falls in differs from its predecessor's.
        var crossing = $"gt(floor(t/{interval}),floor(prev_t/{interval}))";
        if (resume is null)
        {
            graph.Append(CultureInfo.InvariantCulture, $";[tail]select='if(isnan(prev_t),1,{crossing})',{tile},tile={storyboard.Columns}x{storyboard.Rows}[storyboard]");
            return;
        }

        // The part before the resume point is decoded for the poster and storyboard only; its tiles and the ladder's
        // are joined in order. The ladder's first frame starts a tile if a tile time falls on the resume point.
        // The ladder starts a millisecond before the resume point (HlsCuts.Cut), the head ends there: a first frame in that
        // millisecond is before the tile's time, so it is taken only at or after it, by the same floor a clean run uses.
        var first = storyboard.TileStartsAt(resume.Seconds, HlsCuts.FramesPerSecond(request))
            ? $"gte(floor(t/{interval}),{Math.Round(resume.Seconds / storyboard.IntervalSeconds).ToString(CultureInfo.InvariantCulture)})"
            : "0";
        var headOutputs = posterInHead ? "[head][ps][hc]" : "[head][hc]";
        graph.Append(CultureInfo.InvariantCulture, $";[{head}:v]trim=end={HlsCuts.LadderTrimStart(resume)},format=yuv420p,split={(posterInHead ? 3 : 2)}{headOutputs}")
            .Append(CultureInfo.InvariantCulture, $";[head]select='if(isnan(prev_t),1,{crossing})',{tile}[t0]")
            .Append(CultureInfo.InvariantCulture, $";[tail]select='if(isnan(prev_t),{first},{crossing})',{tile}[t1]")
            .Append(CultureInfo.InvariantCulture, $";[t0][t1]concat=n=2:v=1:a=0,tile={storyboard.Columns}x{storyboard.Rows}[storyboard]");
    }
}

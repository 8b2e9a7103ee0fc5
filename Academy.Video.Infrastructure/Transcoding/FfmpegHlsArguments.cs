using System.Globalization;
using System.Text;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>Where a resumed encode starts: at segment <see cref="Segment"/> of every video variant, <see cref="Seconds"/> on the output's clock.</summary>
public sealed record HlsResumeStart(int Segment, double Seconds);

/// <summary>What one ffmpeg run writes besides the request itself.</summary>
/// <param name="CopyCutSeconds">Null: every rendition is encoded. Otherwise the top rendition is the source's video copied, and these are
/// the output times (seconds) of the cuts it gets, where the encoded renditions get their key frames.</param>
/// <param name="Resume">Null: from the start. Otherwise the video variants start at this segment (the audio, poster and storyboard are whole).</param>
/// <param name="PosterAndStoryboard">Also write the poster and the storyboard sprite (off only for the benchmark's one-run-per-rung baseline).</param>
public sealed record HlsCommand(IReadOnlyList<double>? CopyCutSeconds = null, HlsResumeStart? Resume = null, bool PosterAndStoryboard = true);

/// <summary>
/// The ffmpeg argument list for one HLS ladder, in one process: the source is decoded once (autorotated, so a phone video
/// comes out upright) and split into one scaled stream per encoded rendition, each encoded at constant quality under its
/// bitrate cap; the audio is encoded once into an audio rendition that every variant refers to; the same decode gives the
/// poster and the storyboard sprite. Writes <c>&lt;out&gt;/&lt;rendition&gt;/index.m3u8</c>, <c>&lt;out&gt;/audio/index.m3u8</c>,
/// <c>poster.jpg</c> and <c>storyboard.jpg</c>; the final playlists, the master and the storyboard index are written afterwards
/// by <see cref="FfmpegHlsEncoder"/> from the segments.
/// <para>
/// Every segment boundary is a fixed time: an encoded rendition gets a key frame at the first frame at or after each
/// multiple of the target (or each cut of a copied top rung) and its HLS muxer cuts at every key frame; a copied top rung
/// is cut at the source's key frames by ffmpeg's own rule (<see cref="HlsSegmentation"/>). So a run resumed at segment k
/// — its video read from the k-th boundary, timestamps kept as in a clean run — writes segments k, k+1, … exactly where a
/// clean run does. Timestamps are never shifted to start at zero (<c>avoid_negative_ts disabled</c>, in each HLS muxer and
/// its MPEG-TS segments), so the audio and video renditions share the source's clock whether a run starts at 0 or later.
/// </para>
/// </summary>
public static class FfmpegHlsArguments
{
    public const string MasterPlaylistName = StorageKeys.MasterPlaylistName;
    public const string VariantPlaylistName = "index.m3u8";
    public const string SegmentPattern = "seg_%05d.ts";
    public const string PosterName = StorageKeys.PosterName;
    public const string StoryboardImageName = StorageKeys.StoryboardImageName;
    public const string StoryboardIndexName = StorageKeys.StoryboardName;

    /// <summary>The audio rendition's directory and name.</summary>
    public const string AudioRenditionName = "audio";

    public const string AudioGroupId = "audio";

    /// <summary>
    /// The encoded renditions' HLS muxer cuts at every key frame: one microsecond is the shortest segment it waits for.
    /// Their key frames are exactly the boundaries, so the cut does not depend on where the run started.
    /// </summary>
    private const string EveryKeyFrame = "0.000001";

    /// <summary>GOP length when the probe found no frame rate; the forced key frames keep segments aligned anyway.</summary>
    private const double FallbackFramesPerSecond = 30;

    /// <summary>Short side from which a rendition gets the High profile; smaller ones use Main for old, low-end players.</summary>
    private const int HighProfileMinShortSide = 720;

    /// <summary>How much past a resumed run's start its storyboard's first part reads, so frames reordered around the start are in.</summary>
    private const double HeadMarginSeconds = 2;

    public static IReadOnlyList<string> Build(HlsEncodeRequest request, TranscodingOptions options, HlsCommand? command = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        Validate(request);
        command ??= new HlsCommand();

        var renditions = request.Renditions;
        var copyTop = command.CopyCutSeconds is not null;
        var encoded = copyTop ? renditions.Skip(1).ToList() : renditions.ToList();
        var seconds = request.SegmentDuration.TotalSeconds;
        var fps = request.Source.FramesPerSecond > 0 ? request.Source.FramesPerSecond : FallbackFramesPerSecond;
        var hasAudio = request.Source.HasAudio;
        var resume = command.Resume;
        var extras = command.PosterAndStoryboard;
        var source = Path.GetFullPath(request.SourcePath);
        var output = Path.GetFullPath(request.OutputDirectory);

        var args = new List<string>
        {
            "-hide_banner",
            "-nostdin",
            "-y",
            // Warnings and errors only; progress comes as key=value lines on stdout.
            "-loglevel", "warning",
            "-nostats",
            "-progress", "pipe:1",
        };

        // Inputs. A clean run reads the source once. A resumed one reads its video from the resume point for the ladder (the
        // seek lands on a key frame at or before it; -itsoffset puts the timestamps back on the clean run's clock), the part
        // before it for the poster and storyboard only, and the audio from the start.
        int ladder = 0, head = -1, audio = 0;
        if (resume is not null)
        {
            // A copied stream is cut exactly at the key frame: the seek asks for a hair after it, never the one before.
            var seek = Seconds(resume.Seconds + (copyTop ? 0.0005 : 0));
            args.AddRange(["-ss", seek, "-itsoffset", seek, "-i", source]);
            var inputs = 1;
            if (extras)
            {
                args.AddRange(["-t", Seconds(resume.Seconds + HeadMarginSeconds), "-i", source]);
                head = inputs++;
            }

            if (hasAudio)
            {
                args.AddRange(["-i", source]);
                audio = inputs;
            }
        }
        else
        {
            args.AddRange(["-i", source]);
        }

        var graph = FilterGraph(request, encoded, command, ladder, head, fps);
        if (graph.Length > 0)
        {
            args.AddRange(["-filter_complex", graph]);
        }

        var hlsStart = (resume?.Segment ?? 0).ToString(CultureInfo.InvariantCulture);
        var segment = Seconds(seconds);

        if (copyTop)
        {
            var top = renditions[0];
            args.AddRange(["-map", $"{ladder}:v:0", "-map_metadata", "-1", "-c:v", "copy"]);
            args.AddRange(Hls(segment, hlsStart, Path.Combine(output, top.Name, SegmentPattern), Path.Combine(output, top.Name, VariantPlaylistName)));
        }

        if (encoded.Count > 0)
        {
            for (var i = 0; i < encoded.Count; i++)
            {
                args.AddRange(["-map", $"[v{i}]"]);
            }

            // Phone videos carry GPS and device tags in the container; none of it belongs in a public stream.
            args.AddRange(["-map_metadata", "-1"]);

            // Key frames only at the boundaries: a GOP too long for the encoder to add one of its own in between (boundaries
            // are at most 1.5x the target apart), the boundaries forced as a list of absolute times.
            var gop = Math.Max(1, (int)Math.Round(fps * seconds * 2, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture);
            var keyframes = Keyframes(request, command);
            for (var i = 0; i < encoded.Count; i++)
            {
                var r = encoded[i];
                var s = i.ToString(CultureInfo.InvariantCulture);
                args.AddRange(
                [
                    $"-c:v:{s}", "libx264",
                    $"-profile:v:{s}", r.ShortSide >= HighProfileMinShortSide ? "high" : "main",
                    // Constant quality, capped: a still slide costs almost nothing, motion gets at most the rung's rate.
                    $"-crf:v:{s}", options.Crf.ToString(CultureInfo.InvariantCulture),
                    $"-maxrate:v:{s}", Kbps(r.VideoBitrateKbps),
                    $"-bufsize:v:{s}", Kbps(r.BufferSizeKbps),
                    $"-g:v:{s}", gop,
                    $"-keyint_min:v:{s}", gop,
                    $"-sc_threshold:v:{s}", "0",
                ]);
                if (keyframes.Length > 0)
                {
                    args.AddRange([$"-force_key_frames:v:{s}", keyframes]);
                }
            }

            args.AddRange(["-preset", options.Preset]);
            AddThreads(args, options);
            // Frames keep their own timestamps: no duplicates made up to fill the time before a resumed run's first frame.
            args.AddRange(["-fps_mode", "vfr"]);
            args.AddRange(Hls(EveryKeyFrame, hlsStart, Path.Combine(output, "%v", SegmentPattern), Path.Combine(output, "%v", VariantPlaylistName),
                ["-var_stream_map", string.Join(' ', encoded.Select((r, i) => $"v:{i},name:{r.Name}"))]));
        }

        if (hasAudio)
        {
            // One encode at the highest rate any rung asks for, shared by every variant.
            args.AddRange(["-map", $"{audio}:a:0", "-map_metadata", "-1", "-c:a", "aac", "-ac", "2", "-b:a", Kbps(renditions.Max(r => r.AudioBitrateKbps))]);
            AddThreads(args, options);
            args.AddRange(Hls(segment, "0", Path.Combine(output, AudioRenditionName, SegmentPattern), Path.Combine(output, AudioRenditionName, VariantPlaylistName)));
        }

        if (extras)
        {
            args.AddRange(Jpeg("[poster]", "2", Path.Combine(output, PosterName)));
            args.AddRange(Jpeg("[storyboard]", "5", Path.Combine(output, StoryboardImageName)));
        }

        return args;
    }

    /// <summary>The storyboard of the request: its tiles, their size and grid.</summary>
    public static StoryboardPlan Storyboard(HlsEncodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var top = request.Renditions[0];
        return StoryboardPlan.For(request.Source.Duration.TotalSeconds, request.SegmentDuration.TotalSeconds, top.Width, top.Height, request.Source.FramesPerSecond);
    }

    /// <summary>
    /// Whether a run of this request can be resumed: the encoded renditions' boundaries are passed as one list of times, and
    /// a list of more than <see cref="SourceCopy.MaxCuts"/> would not fit in an argument (1 s segments for over 2.7 hours).
    /// </summary>
    public static bool Resumable(HlsEncodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EncodedBoundaries(request).Count <= SourceCopy.MaxCuts;
    }

    /// <summary>The variant playlists ffmpeg writes, relative to the output directory: every rendition, then the audio.</summary>
    public static IReadOnlyList<string> VariantPlaylists(HlsEncodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Variants(request).Select(n => $"{n}/{VariantPlaylistName}").ToList();
    }

    /// <summary>Every variant's name: the renditions, top first, then the audio when the source has it.</summary>
    public static IReadOnlyList<string> Variants(HlsEncodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var names = request.Renditions.Select(r => r.Name).ToList();
        if (request.Source.HasAudio)
        {
            names.Add(AudioRenditionName);
        }

        return names;
    }

    private static IEnumerable<string> Hls(string hlsTime, string startNumber, string segments, string playlist, IEnumerable<string>? more = null) =>
    [
        // Whatever the first timestamp, nothing is shifted (see the class): a resumed run's segments fit a clean run's.
        "-avoid_negative_ts", "disabled",
        "-f", "hls",
        "-hls_time", hlsTime,
        // EVENT while encoding: the playlist is rewritten after every segment, so each is known as soon as it is closed.
        // The worker writes the final VOD playlist itself.
        "-hls_playlist_type", "event",
        // temp_file: a segment is written under another name and renamed once complete.
        "-hls_flags", "independent_segments+temp_file",
        "-hls_segment_type", "mpegts",
        "-hls_segment_options", "avoid_negative_ts=disabled",
        "-start_number", startNumber,
        "-hls_segment_filename", segments,
        .. more ?? [],
        playlist,
    ];

    /// <summary>A JPEG written once; full-range 4:2:0, the range JPEG viewers assume, without a deprecated pixel format.</summary>
    private static IEnumerable<string> Jpeg(string label, string quality, string path) =>
        ["-map", label, "-map_metadata", "-1", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", quality, "-color_range", "pc", "-frames:v", "1", "-update", "1", path];

    private static void AddThreads(List<string> args, TranscodingOptions options)
    {
        if (options.Threads > 0)
        {
            args.AddRange(["-threads", options.Threads.ToString(CultureInfo.InvariantCulture)]);
        }
    }

    /// <summary>The encoded renditions' forced key frames still ahead of the run's start, or an expression when the list would be too long.</summary>
    private static string Keyframes(HlsEncodeRequest request, HlsCommand command)
    {
        var after = command.Resume?.Segment ?? 0;
        if (command.CopyCutSeconds is { } cuts)
        {
            return KeyframeList(cuts.Skip(after));
        }

        var boundaries = EncodedBoundaries(request);
        return boundaries.Count <= SourceCopy.MaxCuts
            ? KeyframeList(boundaries.Skip(after))
            : $"expr:gte(t,n_forced*{Seconds(request.SegmentDuration.TotalSeconds)})";
    }

    /// <summary>Each multiple of the target before the end: an encoded rendition's boundaries on the output's clock.</summary>
    private static List<double> EncodedBoundaries(HlsEncodeRequest request)
    {
        var target = request.SegmentDuration.TotalSeconds;
        var end = request.Source.Duration.TotalSeconds;
        var boundaries = new List<double>();
        for (var n = 1; n * target < end && boundaries.Count <= SourceCopy.MaxCuts; n++)
        {
            boundaries.Add(n * target);
        }

        return boundaries;
    }

    private static string FilterGraph(HlsEncodeRequest request, IReadOnlyList<Rendition> encoded, HlsCommand command, int ladder, int head, double fps)
    {
        var extras = command.PosterAndStoryboard;
        if (encoded.Count == 0 && !extras)
        {
            return string.Empty;
        }

        var resume = command.Resume;
        var top = request.Renditions[0];
        var storyboard = Storyboard(request);
        var posterAt = Poster.TimeFor(request.Source.Duration.TotalSeconds, request.PosterAtSeconds);
        // In a resumed run the poster comes from the part before the resume point when it lies there (a second to spare).
        var posterInHead = extras && resume is not null && posterAt + 1 <= resume.Seconds;
        var graph = new StringBuilder();

        // One conversion to 8-bit 4:2:0 (what every H.264 player decodes) before the split, not one per rendition.
        var ladderOutputs = encoded.Select((_, i) => $"[s{i}]").ToList();
        if (extras)
        {
            ladderOutputs.Add("[tail]");
            if (!posterInHead)
            {
                ladderOutputs.Add("[ps]");
            }
        }

        var trim = resume is null ? "" : $"trim=start={Seconds(resume.Seconds - (command.CopyCutSeconds is null ? 0 : 0.001))},";
        graph.Append(CultureInfo.InvariantCulture, $"[{ladder}:v]{trim}format=yuv420p,split={ladderOutputs.Count}{string.Concat(ladderOutputs)}");
        for (var i = 0; i < encoded.Count; i++)
        {
            var r = encoded[i];
            graph.Append(CultureInfo.InvariantCulture, $";[s{i}]scale={r.Width}:{r.Height},setsar=1[v{i}]");
        }

        if (!extras)
        {
            return graph.ToString();
        }

        var tile = $"scale={storyboard.TileWidth}:{storyboard.TileHeight}:out_range=full,setsar=1,format=yuv420p";
        var interval = Seconds(storyboard.IntervalSeconds);
        // Tile i is the first frame at or after i x interval: a frame is taken when the interval it falls in differs from its predecessor's.
        var crossing = $"gt(floor(t/{interval}),floor(prev_t/{interval}))";
        if (resume is null)
        {
            graph.Append(CultureInfo.InvariantCulture, $";[tail]select='if(isnan(prev_t),1,{crossing})',{tile},tile={storyboard.Columns}x{storyboard.Rows}[storyboard]");
        }
        else
        {
            // The part before the resume point is decoded for the poster and storyboard only; its tiles and the ladder's
            // are joined in order. The ladder's first frame starts a tile if a tile time falls on the resume point.
            var first = storyboard.TileStartsAt(resume.Seconds, fps) ? "1" : "0";
            var headOutputs = posterInHead ? "[head][ps]" : "[head]";
            graph.Append(CultureInfo.InvariantCulture, $";[{head}:v]trim=end={Seconds(resume.Seconds)},format=yuv420p,split={(posterInHead ? 2 : 1)}{headOutputs}")
                .Append(CultureInfo.InvariantCulture, $";[head]select='if(isnan(prev_t),1,{crossing})',{tile}[t0]")
                .Append(CultureInfo.InvariantCulture, $";[tail]select='if(isnan(prev_t),{first},{crossing})',{tile}[t1]")
                .Append(CultureInfo.InvariantCulture, $";[t0][t1]concat=n=2:v=1:a=0,tile={storyboard.Columns}x{storyboard.Rows}[storyboard]");
        }

        graph.Append(CultureInfo.InvariantCulture, $";[ps]select='gte(t,{Seconds(posterAt)})*isnan(prev_selected_t)',scale={top.Width}:{top.Height}:out_range=full,setsar=1,format=yuv420p[poster]");
        return graph.ToString();
    }

    /// <summary>
    /// One millisecond early. ffmpeg 6+ forces the first frame at or after each time; 5.1 rounds each time to the
    /// nearest frame of the encoder's clock. A time a hair before the cut's frame (less than half a frame up to
    /// 500 fps) selects that frame under both rules, even after six-decimal text rounding; a time between two frames
    /// would select the later frame under one and the earlier under the other.
    /// </summary>
    private static string KeyframeList(IEnumerable<double> seconds) =>
        string.Join(',', seconds.Select(t => Seconds(Math.Max(0, t - 0.001))));

    private static string Seconds(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Kbps(int kbps) => kbps.ToString(CultureInfo.InvariantCulture) + "k";

    /// <summary>Refuses a request ffmpeg could not write safely: no rendition, a bad segment duration, names or sizes.</summary>
    public static void Validate(HlsEncodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Renditions.Count == 0)
        {
            throw new ArgumentException("At least one rendition is needed.", nameof(request));
        }

        if (request.SegmentDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Segment duration {request.SegmentDuration} is not positive.", nameof(request));
        }

        // '%' would be read by ffmpeg as part of the %v / %05d patterns.
        if (request.OutputDirectory.Contains('%', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output directory '{request.OutputDirectory}' contains '%'.", nameof(request));
        }

        foreach (var r in request.Renditions)
        {
            // The name is a directory and a var_stream_map token: separators, spaces or ',' ':' would break both.
            if (r.Name.Length == 0 || !r.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                throw new ArgumentException($"Rendition name '{r.Name}' must be ASCII letters, digits, '_' or '-'.", nameof(request));
            }

            if (string.Equals(r.Name, AudioRenditionName, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Rendition name '{r.Name}' is the audio rendition's directory.", nameof(request));
            }

            if (r.Width < 2 || r.Height < 2 || r.Width % 2 != 0 || r.Height % 2 != 0)
            {
                throw new ArgumentException($"Rendition {r.Name} is {r.Width}x{r.Height}; H.264 4:2:0 needs even sides.", nameof(request));
            }

            if (r.VideoBitrateKbps <= 0 || r.AudioBitrateKbps <= 0)
            {
                throw new ArgumentException($"Rendition {r.Name} needs positive bitrates.", nameof(request));
            }
        }

        var duplicate = request.Renditions.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Rendition name '{duplicate.Key}' is used twice.", nameof(request));
        }
    }
}

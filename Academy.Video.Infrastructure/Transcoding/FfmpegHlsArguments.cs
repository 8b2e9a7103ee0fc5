using System.Globalization;
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
/// <param name="Part">Which of the run's outputs this process writes (<see cref="HlsRunPart"/>).</param>
public sealed record HlsCommand(IReadOnlyList<double>? CopyCutSeconds = null, HlsResumeStart? Resume = null, bool PosterAndStoryboard = true, HlsRunPart Part = HlsRunPart.Whole)
{
    /// <summary>A chunk's end (docs/decisions/0023-chunked-encoding.md): the encoded rungs stop before this boundary; null runs to the end of the video.</summary>
    public HlsResumeStart? End { get; init; }

    /// <summary>The encoded rungs' segment names (a chunk's later attempts name theirs apart, decision 0023).</summary>
    public string SegmentFileName { get; init; } = FfmpegHlsArguments.SegmentPattern;
}

/// <summary>
/// A run in one process, or split in two on the fast path (docs/encoding.md, "Playable early"): the copied top rung and the
/// audio, which need no video decode and are done in seconds, and the encoded ladder with the poster and storyboard. Each
/// part writes exactly what the whole run writes for its outputs.
/// </summary>
public enum HlsRunPart
{
    Whole,
    CopyAndAudio,
    Ladder,

    /// <summary>A chunked encode's whole-video pictures (decision 0023): the poster, the storyboard and the gray copy; no encoded rung, no audio.</summary>
    Extras,

    /// <summary>A chunked encode's audio (decision 0023), whole, in a process of its own: its segments do not wait for the pictures' video decode (decision 0026).</summary>
    Audio,

    /// <summary>A chunk of a chunked encode (decision 0023): the encoded rungs between <see cref="HlsCommand.Resume"/> (or 0) and <see cref="HlsCommand.End"/>, nothing else.</summary>
    Range,
}

/// <summary>
/// The ffmpeg argument list for one HLS ladder, in one process: the source is decoded once (autorotated, so a phone video
/// comes out upright) and split into one scaled stream per encoded rendition, each encoded at constant quality under its
/// bitrate cap; the audio is encoded once into an audio rendition that every variant refers to; the same decode gives the
/// poster, the storyboard sprite and the gray copy the slide changes are found in (<see cref="FfmpegSlideChanges"/>). Writes <c>&lt;out&gt;/&lt;rendition&gt;/index.m3u8</c>, <c>&lt;out&gt;/audio/index.m3u8</c>,
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

    /// <summary>Short side from which a rendition gets the High profile; smaller ones use Main for old, low-end players.</summary>
    private const int HighProfileMinShortSide = 720;

    public static IReadOnlyList<string> Build(HlsEncodeRequest request, TranscodingOptions options, HlsCommand? command = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        Validate(request);
        command ??= new HlsCommand();
        var copyTop = command.CopyCutSeconds is not null;
        var part = command.Part;
        if (part is HlsRunPart.CopyAndAudio or HlsRunPart.Range or HlsRunPart.Audio)
        {
            command = command with { PosterAndStoryboard = false };
        }

        var encoded = part is HlsRunPart.CopyAndAudio or HlsRunPart.Extras or HlsRunPart.Audio ? new List<Rendition>() : copyTop ? request.Renditions.Skip(1).ToList() : request.Renditions.ToList();
        var audio = request.Source.HasAudio && part is not (HlsRunPart.Ladder or HlsRunPart.Range or HlsRunPart.Extras);
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
        var inputs = Inputs(command, Path.GetFullPath(request.SourcePath), audio, args);
        var graph = HlsFilterGraph.Build(request, encoded, command, inputs.Ladder, inputs.Head, SlidesThinning(request, options, command));
        if (graph.Length > 0)
        {
            args.AddRange(["-filter_complex", graph]);
        }

        if (copyTop && part is not (HlsRunPart.Ladder or HlsRunPart.Range or HlsRunPart.Audio))
        {
            AddCopiedTopRung(args, request, command, inputs.Ladder, output);
        }

        if (encoded.Count > 0)
        {
            AddEncodedLadder(args, request, options, command, encoded, output);
        }

        if (audio)
        {
            AddAudio(args, request, options, inputs.Audio, output);
        }

        if (command.PosterAndStoryboard)
        {
            args.AddRange(Jpeg("[poster]", "2", Path.Combine(output, PosterName)));
            args.AddRange(Jpeg("[storyboard]", "5", Path.Combine(output, StoryboardImageName)));
            args.AddRange(FfmpegSlideChanges.Output("[slides]", FfmpegSlideChanges.AnalysisPath(output)));
        }

        return args;
    }

    /// <summary>The run's inputs, by their index.</summary>
    /// <param name="Ladder">The input the ladder is read from.</param>
    /// <param name="Head">A resumed run's part before its start (poster and storyboard only); -1 when there is none.</param>
    /// <param name="Audio">The input the audio is read from.</param>
    private sealed record InputIndexes(int Ladder, int Head, int Audio);

    /// <summary>
    /// A clean run reads the source once. A resumed one reads its video from the resume point for the ladder (the seek
    /// lands on a key frame at or before it; -itsoffset puts the timestamps back on the clean run's clock), the part
    /// before it for the poster and storyboard only, and the audio from the start.
    /// </summary>
    private static InputIndexes Inputs(HlsCommand command, string source, bool audioInput, List<string> args)
    {
        if (command.Resume is not { } resume)
        {
            if (command.End is { } stop)
            {
                // A chunk stops reading a second past its end; its trim cuts there exactly (decision 0023).
                args.AddRange(["-t", HlsCuts.Seconds(stop.Seconds + 1)]);
            }

            args.AddRange(["-i", source]);
            return new InputIndexes(0, -1, 0);
        }

        var seek = HlsCuts.LadderSeek(resume, command.CopyCutSeconds is not null);
        args.AddRange(["-ss", seek, "-itsoffset", seek]);
        if (command.End is { } end)
        {
            // With -itsoffset cancelling the seek's shift, ffmpeg 5.1 counts an input's -t from the key frame the seek lands
            // on, which can be a whole GOP before the start: `end - start + 1` cut a chunk seconds short of its end (decision
            // 0026). Counted from 0 it covers every landing point; the trim's end stops the run there all the same.
            args.AddRange(["-t", HlsCuts.Seconds(end.Seconds + 1)]);
        }

        args.AddRange(["-i", source]);
        int inputs = 1, head = -1, audio = 0;
        if (command.PosterAndStoryboard)
        {
            args.AddRange(["-t", HlsCuts.HeadDuration(resume), "-i", source]);
            head = inputs++;
        }

        if (audioInput)
        {
            args.AddRange(["-i", source]);
            audio = inputs;
        }

        return new InputIndexes(0, head, audio);
    }

    private static void AddCopiedTopRung(List<string> args, HlsEncodeRequest request, HlsCommand command, int ladder, string output)
    {
        var top = request.Renditions[0];
        args.AddRange(["-map", $"{ladder}:v:0", "-map_metadata", "-1", "-c:v", "copy"]);
        args.AddRange(Hls(HlsCuts.Seconds(request.SegmentDuration.TotalSeconds), StartNumber(command), Path.Combine(output, top.Name, SegmentPattern), Path.Combine(output, top.Name, VariantPlaylistName)));
    }

    /// <summary>The encoded renditions, the filter graph's <c>[v0]</c>, <c>[v1]</c>, …, into one HLS muxer with a variant each.</summary>
    private static void AddEncodedLadder(List<string> args, HlsEncodeRequest request, TranscodingOptions options, HlsCommand command, List<Rendition> encoded, string output)
    {
        for (var i = 0; i < encoded.Count; i++)
        {
            args.AddRange(["-map", $"[v{i}]"]);
        }

        // Phone videos carry GPS and device tags in the container; none of it belongs in a public stream.
        args.AddRange(["-map_metadata", "-1"]);

        // Key frames only at the boundaries (HlsCuts.Gop), the boundaries forced as a list of absolute times.
        var gop = HlsCuts.Gop(request);
        var keyframes = HlsCuts.Keyframes(request, command);
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
            if (request.Profile is { IsSlides: true })
            {
                // The slides profile (docs/encoding.md): x264's still-image tuning, and half the rung's rate cap over the
                // same buffer in bits, so a slide change's key frame is spread over twice the time and the peak halved.
                args.AddRange([$"-tune:v:{s}", "stillimage"]);
                args[args.LastIndexOf($"-maxrate:v:{s}") + 1] = Kbps(SlidesMaxRateKbps(r));
            }

            if (keyframes.Length > 0)
            {
                args.AddRange([$"-force_key_frames:v:{s}", keyframes]);
            }
        }

        args.AddRange(["-preset", options.Preset]);
        AddThreads(args, options);
        // Frames keep their own timestamps: no duplicates made up to fill the time before a resumed run's first frame.
        args.AddRange(["-fps_mode", "vfr", "-enc_time_base:v", HlsCuts.EncoderTimeBase]);
        args.AddRange(Hls(EveryKeyFrame, StartNumber(command), Path.Combine(output, "%v", command.SegmentFileName), Path.Combine(output, "%v", VariantPlaylistName),
            ["-var_stream_map", string.Join(' ', encoded.Select((r, i) => $"v:{i},name:{r.Name}"))]));
    }

    /// <summary>A slides encode's rate cap for a rung: half the rung's.</summary>
    public static int SlidesMaxRateKbps(Rendition rendition)
    {
        ArgumentNullException.ThrowIfNull(rendition);
        return Math.Max(1, rendition.VideoBitrateKbps / 2);
    }

    /// <summary>
    /// A slides encode's frame thinning (docs/encoding.md, Slides profile), applied to each encoded rung before it is scaled:
    /// the first frame of every 1/<c>SlidesFrameRate</c> s tick is kept, and the first frame at or after every segment
    /// boundary (the frame its forced key frame lands on), each decided from the frame and the one before it alone, so a run
    /// resumed at a boundary keeps the very frames a clean run keeps. Null for camera, and with a copied top rung, whose
    /// cuts are the source's key frames rather than multiples of the segment target.
    /// </summary>
    public static string? SlidesThinning(HlsEncodeRequest request, TranscodingOptions options, HlsCommand command)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(command);
        if (request.Profile is not { IsSlides: true } || command.CopyCutSeconds is not null)
        {
            return null;
        }

        var rate = options.SlidesFrameRate.ToString(CultureInfo.InvariantCulture);
        var target = HlsCuts.Seconds(request.SegmentDuration.TotalSeconds);
        return $"select='if(isnan(prev_t),1,gt(gt(floor(t*{rate}),floor(prev_t*{rate}))+gt(floor((t+0.001)/{target}),floor((prev_t+0.001)/{target})),0))'";
    }

    /// <summary>One encode at the highest rate any rung asks for, shared by every variant, always from the start.</summary>
    private static void AddAudio(List<string> args, HlsEncodeRequest request, TranscodingOptions options, int audio, string output)
    {
        args.AddRange(["-map", $"{audio}:a:0", "-map_metadata", "-1"]);
        if (request.Loudness is { Applies: true } loudness)
        {
            // The second pass of the loudness normalisation (docs/encoding.md, Loudness), on the one encode every variant shares.
            args.AddRange(["-af", FfmpegLoudness.Filter(loudness, options)]);
        }

        args.AddRange(["-c:a", "aac", "-ac", "2", "-b:a", Kbps(request.Renditions.Max(r => r.AudioBitrateKbps))]);
        AddThreads(args, options);
        args.AddRange(Hls(HlsCuts.Seconds(request.SegmentDuration.TotalSeconds), "0", Path.Combine(output, AudioRenditionName, SegmentPattern), Path.Combine(output, AudioRenditionName, VariantPlaylistName)));
    }

    /// <summary>The video variants' first segment number: a resumed run numbers on from its start.</summary>
    private static string StartNumber(HlsCommand command) => (command.Resume?.Segment ?? 0).ToString(CultureInfo.InvariantCulture);

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
        return HlsCuts.EncodedBoundaries(request).Count <= SourceCopy.MaxCuts;
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

// The player: hls.js (loaded only here, from the API's own assets) on a <video>, with a quality menu
// built from the master playlist's renditions and a captions (CC) menu built from its subtitle renditions;
// Safari plays HLS natively and keeps its own quality and captions choice.
import { h, replace } from './dom';

export interface PlayerOptions {
  /** Where playback starts, in seconds (the video page's `?t=`). */
  startAt?: number;
}

export interface PlayerHandle {
  video: HTMLVideoElement;
  /**
   * The text track the transcript lists: the one chosen in the CC menu, or with CC off the first track, which the
   * player keeps loaded in "hidden" mode (cues readable, nothing drawn). Null when the video has no captions.
   */
  transcriptTrack(): TextTrack | null;
}

/** Dispatched on the <video> when the transcript's track changes or gets its cues. */
export const transcriptChange = 'transcriptchange';

export async function mountPlayer(container: HTMLElement, url: string, posterUrl: string | null | undefined, signal: AbortSignal, options: PlayerOptions = {}): Promise<PlayerHandle> {
  const video = h('video', {
    id: 'player', controls: true, playsinline: true, preload: 'metadata',
    poster: posterUrl || null, 'aria-label': 'Lecture video',
  });
  const quality = h('select', { id: 'quality', disabled: true }, h('option', { value: '-1' }, 'Auto'));
  const captions = h('select', { id: 'captions', disabled: true }, h('option', { value: '-1' }, 'Off'));
  const playing = h('span', { class: 'muted', id: 'quality-now', 'aria-live': 'polite' });
  const message = h('p', { class: 'error', role: 'alert' });
  const controls = h('div', { class: 'player-controls' },
    h('label', { for: 'quality' }, 'Quality'), quality,
    h('label', { for: 'captions' }, 'Captions (CC)'), captions, playing);
  replace(container, h('div', { class: 'player-frame' }, video), controls, message);
  const startAt = options.startAt !== undefined && Number.isFinite(options.startAt) && options.startAt > 0 ? options.startAt : undefined;
  const changed = () => video.dispatchEvent(new Event(transcriptChange));

  if (video.canPlayType('application/vnd.apple.mpegurl') && !('MediaSource' in window)) {
    video.src = url;
    controls.hidden = true;
    if (startAt !== undefined) video.addEventListener('loadedmetadata', () => { video.currentTime = startAt; }, { once: true });
    video.textTracks.addEventListener('change', changed);
    video.textTracks.addEventListener('addtrack', () => {
      // As with hls.js below: with captions off, the first track is loaded hidden so the transcript has its cues.
      const tracks = [...video.textTracks].filter((t) => t.kind === 'subtitles' || t.kind === 'captions');
      if (tracks.length > 0 && tracks.every((t) => t.mode === 'disabled')) tracks[0].mode = 'hidden';
      changed();
    });
    return { video, transcriptTrack: () => nativeTrack(video) };
  }

  const handle: PlayerHandle = { video, transcriptTrack: () => null };
  const { default: Hls } = await import('hls.js');
  if (signal.aborted) return handle;
  if (!Hls.isSupported()) {
    message.textContent = 'This browser cannot play HLS (no Media Source Extensions).';
    return handle;
  }

  const hls = new Hls({ workerPath: '/admin/assets/hls.worker.js', capLevelToPlayerSize: false, startPosition: startAt ?? -1 });
  signal.addEventListener('abort', () => hls.destroy(), { once: true });
  const describe = (index: number) => {
    const level = hls.levels[index];
    if (!level) return '';
    const name = level.height ? `${level.height}p` : level.name || `level ${index + 1}`;
    return `${name} · ${Math.round(level.bitrate / 1000)} kbps`;
  };
  // The TextTrack hls.js made for a subtitle rendition (renderTextTracksNatively, its default): a <track> in the <video>.
  handle.transcriptTrack = () => hls.subtitleTracks[hls.subtitleTrack]?.trackNode?.track ?? null;

  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    const order = hls.levels.map((_, index) => index).sort((a, b) => (hls.levels[b].height || 0) - (hls.levels[a].height || 0));
    replace(quality, h('option', { value: '-1' }, 'Auto'), ...order.map((index) => h('option', { value: String(index) }, describe(index))));
    quality.disabled = hls.levels.length < 2;
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_, data) => {
    playing.textContent = `Playing ${describe(data.level)}`;
  });
  hls.on(Hls.Events.ERROR, (_, data) => {
    if (data.fatal) message.textContent = `Playback failed: ${data.type} ${data.details}${data.response ? ` (HTTP ${data.response.code})` : ''}`;
  });
  quality.addEventListener('change', () => {
    // -1 is automatic selection; a fixed level switches at the next segment without flushing the buffer.
    hls.nextLevel = Number(quality.value);
  });

  // CC: Off or one subtitle rendition. "Off" keeps a track loaded but hidden, so the transcript has cues to list.
  const showChoice = () => {
    captions.value = hls.subtitleDisplay && hls.subtitleTrack >= 0 ? String(hls.subtitleTrack) : '-1';
  };
  hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_, data) => {
    replace(captions, h('option', { value: '-1' }, 'Off'),
      ...data.subtitleTracks.map((track, index) => h('option', { value: String(index), lang: track.lang || null }, trackName(track.name, track.lang))));
    captions.disabled = data.subtitleTracks.length === 0;
    // hls.js picks its initial track (none: the renditions are DEFAULT=NO) right after this event; choose after it.
    if (data.subtitleTracks.length > 0) {
      queueMicrotask(() => {
        if (signal.aborted || hls.subtitleTrack >= 0) return;
        hls.subtitleDisplay = false;
        hls.subtitleTrack = 0;
        showChoice();
        changed();
      });
    }
    showChoice();
    changed();
  });
  hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, () => { showChoice(); changed(); });
  hls.on(Hls.Events.SUBTITLE_FRAG_PROCESSED, changed);
  // The browser's own captions button changes the modes directly; hls.js follows them, and so does the menu.
  video.textTracks.addEventListener('change', () => queueMicrotask(showChoice));
  captions.addEventListener('change', () => {
    const index = Number(captions.value);
    if (index < 0) {
      hls.subtitleDisplay = false;
    } else {
      hls.subtitleDisplay = true;
      hls.subtitleTrack = index;
    }
    changed();
  });

  hls.loadSource(url);
  hls.attachMedia(video);
  return handle;
}

function trackName(name: string, lang: string | undefined): string {
  return lang && name !== lang ? `${name} (${lang})` : name || lang || 'Captions';
}

/** Safari's own HLS: the showing subtitle track, else the first one (its cues load only when not disabled). */
function nativeTrack(video: HTMLVideoElement): TextTrack | null {
  const tracks = [...video.textTracks].filter((t) => t.kind === 'subtitles' || t.kind === 'captions');
  return tracks.find((t) => t.mode === 'showing') ?? tracks.find((t) => t.mode === 'hidden') ?? tracks[0] ?? null;
}

// The player: hls.js (loaded only here, from the API's own assets) on a <video>, with a quality menu
// built from the master playlist's renditions; Safari plays HLS natively and keeps its own quality choice.
import { h, replace } from './dom';

/** Returns the <video>, which the storyboard seeks. */
/** startSeconds: where playback starts (a search result's moment, the page's ?t=); from the beginning when absent. */
export async function mountPlayer(container: HTMLElement, url: string, posterUrl: string | null | undefined, signal: AbortSignal,
  startSeconds?: number): Promise<HTMLVideoElement> {
  const video = h('video', {
    id: 'player', controls: true, playsinline: true, preload: 'metadata',
    poster: posterUrl || null, 'aria-label': 'Lecture video',
  });
  const quality = h('select', { id: 'quality', disabled: true }, h('option', { value: '-1' }, 'Auto'));
  const playing = h('span', { class: 'muted', id: 'quality-now', 'aria-live': 'polite' });
  const message = h('p', { class: 'error', role: 'alert' });
  const controls = h('div', { class: 'player-controls' },
    h('label', { for: 'quality' }, 'Quality'), quality, playing);
  replace(container, h('div', { class: 'player-frame' }, video), controls, message);

  if (video.canPlayType('application/vnd.apple.mpegurl') && !('MediaSource' in window)) {
    if (startSeconds) video.addEventListener('loadedmetadata', () => { video.currentTime = startSeconds; }, { once: true });
    video.src = url;
    controls.hidden = true;
    return video;
  }

  const { default: Hls } = await import('hls.js');
  if (signal.aborted) return video;
  if (!Hls.isSupported()) {
    message.textContent = 'This browser cannot play HLS (no Media Source Extensions).';
    return video;
  }

  const hls = new Hls({ workerPath: '/admin/assets/hls.worker.js', capLevelToPlayerSize: false, startPosition: startSeconds ?? -1 });
  signal.addEventListener('abort', () => hls.destroy(), { once: true });
  const describe = (index: number) => {
    const level = hls.levels[index];
    if (!level) return '';
    const name = level.height ? `${level.height}p` : level.name || `level ${index + 1}`;
    return `${name} · ${Math.round(level.bitrate / 1000)} kbps`;
  };

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

  hls.loadSource(url);
  hls.attachMedia(video);
  return video;
}

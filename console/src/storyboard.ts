// The storyboard strip under the player: the thumbnails of the sprite the worker made, one button per cue of its
// WebVTT index, each seeking the player to where its cue starts.
import { clock, h, replace } from './dom';

export interface StoryboardCue {
  startSeconds: number;
  endSeconds: number;
  /** The sprite, absolute, without its fragment. */
  imageUrl: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The cues of a storyboard index. Hand-parsed, and only as far as the strip needs (each cue's start and end, and the
 * image URL with its `#xywh=` fragment): the index is the API's own output (`StoryboardPlan.RenderVtt`: a timing line,
 * then the image line, per cue), so a general WebVTT parser would be a dependency for three fields; and the browser's
 * own parser (a <track> on the <video>) loads cues only with the media and its CORS mode, in a track list hls.js also
 * manages. Cues that are not `url#xywh=x,y,w,h` are skipped. URLs are resolved against the index's URL: the sprite is
 * relative in Public mode and an absolute signed URL in Signed mode.
 */
export function parseStoryboard(vtt: string, indexUrl: string): StoryboardCue[] {
  const lines = vtt.split('\n').map((line) => line.replace(/\r$/, ''));
  const cues: StoryboardCue[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const timing = /^\s*(\S+)\s+-->\s+(\S+)/.exec(lines[i]);
    if (!timing) continue;
    const [start, end] = [cueTime(timing[1]), cueTime(timing[2])];
    const tile = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(lines[i + 1].trim());
    if (start === null || end === null || !tile) continue;
    let imageUrl: string;
    try {
      imageUrl = new URL(tile[1], indexUrl).href;
    } catch {
      continue;
    }
    const [x, y, width, height] = tile.slice(2).map(Number);
    cues.push({ startSeconds: start, endSeconds: end, imageUrl, x, y, width, height });
  }
  return cues;
}

/** `hh:mm:ss.ttt` or `mm:ss.ttt` (WebVTT timestamps) in seconds, or null. */
function cueTime(text: string): number | null {
  const match = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(text);
  if (!match) return null;
  return Number(match[1] ?? 0) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000;
}

/**
 * Fetches the index and fills `container` with the strip: a toolbar of buttons labelled "Seek to m:ss", one tab stop
 * (arrow keys, Home and End move between thumbnails), the thumbnail of the playing time marked as current.
 */
export async function mountStoryboard(container: HTMLElement, indexUrl: string, video: HTMLVideoElement, signal: AbortSignal): Promise<void> {
  const heading = h('h2', { id: 'storyboard-title' }, 'Storyboard');
  replace(container, heading, h('p', { class: 'muted' }, 'Loading thumbnails…'));
  container.hidden = false;
  let cues: StoryboardCue[];
  try {
    // No API key: the index is public, or signed in its URL (Signed mode); it may live on storage's origin.
    const response = await fetch(indexUrl, { credentials: 'omit', signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    cues = parseStoryboard(await response.text(), response.url || indexUrl);
  } catch (error) {
    if (signal.aborted) return;
    replace(container, heading, h('p', { class: 'error' }, `The storyboard could not be loaded (${error instanceof Error ? error.message : String(error)}).`));
    return;
  }
  if (cues.length === 0) {
    replace(container, heading, h('p', { class: 'muted' }, 'The storyboard has no thumbnails.'));
    return;
  }

  const buttons = cues.map((cue, index) => {
    const image = h('span', { class: 'thumb-image', 'aria-hidden': 'true' });
    // Set through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    image.style.width = `${cue.width}px`;
    image.style.height = `${cue.height}px`;
    image.style.backgroundImage = `url("${cue.imageUrl.replace(/["\\\n]/g, encodeURIComponent)}")`;
    image.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
    const label = clock(cue.startSeconds);
    return h('button', {
      type: 'button', class: 'thumb', 'aria-label': `Seek to ${label}`, 'data-start': cue.startSeconds,
      tabindex: index === 0 ? 0 : -1,
      onclick: () => { video.currentTime = cue.startSeconds; },
    }, image, h('span', { class: 'thumb-time', 'aria-hidden': 'true' }, label));
  });

  const strip = h('div', { class: 'storyboard', id: 'storyboard', role: 'toolbar', 'aria-labelledby': 'storyboard-title', 'aria-describedby': 'storyboard-help' }, ...buttons);
  strip.addEventListener('keydown', (event) => {
    const current = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (current < 0) return;
    const moves: Record<string, number> = { ArrowRight: current + 1, ArrowDown: current + 1, ArrowLeft: current - 1, ArrowUp: current - 1, Home: 0, End: buttons.length - 1 };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    moveFocus(Math.max(0, Math.min(buttons.length - 1, next)));
  });

  function moveFocus(index: number): void {
    for (const [i, button] of buttons.entries()) button.tabIndex = i === index ? 0 : -1;
    buttons[index].focus();
  }

  const markPlaying = () => {
    const playing = cues.findIndex((cue, i) => video.currentTime >= cue.startSeconds && (video.currentTime < cue.endSeconds || i === cues.length - 1));
    for (const [i, button] of buttons.entries()) {
      if (i === playing) button.setAttribute('aria-current', 'time');
      else button.removeAttribute('aria-current');
    }
  };
  video.addEventListener('timeupdate', markPlaying, { signal });
  video.addEventListener('seeked', markPlaying, { signal });
  markPlaying();

  replace(container, heading,
    h('p', { class: 'muted', id: 'storyboard-help' }, `${cues.length} thumbnail${cues.length === 1 ? '' : 's'}: choose one to seek there; arrow keys move between them.`),
    strip);
}

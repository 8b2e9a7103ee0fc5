// The transcript panel beside the player: every cue of the captions track the player has loaded (the CC menu's
// choice, or the first track, hidden, with CC off), with its time; the cue being played is marked and kept in
// view, and a click seeks there. It reads the player's TextTrack cues, so it needs no request of its own.
import { clock, h, replace } from './dom';
import { transcriptChange, type PlayerHandle } from './player';

export interface TranscriptCue {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

export function mountTranscript(container: HTMLElement, player: PlayerHandle, signal: AbortSignal): void {
  const list = h('ol', { class: 'transcript', id: 'transcript', 'aria-label': 'Transcript cues' });
  const note = h('p', { class: 'muted', id: 'transcript-note' }, 'No captions yet: upload a track below and the transcript lists its cues.');
  replace(container, h('h2', { id: 'transcript-title' }, 'Transcript'), note, list);
  container.hidden = false;
  const video = player.video;
  let cues: TranscriptCue[] = [];
  let items: HTMLElement[] = [];
  let currentIndex = -1;
  let shownTrack: TextTrack | null = null;
  let shownCount = -1;

  const render = () => {
    const track = player.transcriptTrack();
    const loaded = track?.cues ? [...track.cues] : [];
    if (track === shownTrack && loaded.length === shownCount) return;
    shownTrack = track;
    shownCount = loaded.length;
    cues = loaded.map((cue) => ({ startSeconds: cue.startTime, endSeconds: cue.endTime, text: cueText(cue) }))
      .filter((cue) => cue.text.length > 0);
    note.textContent = !track
      ? 'No captions yet: upload a track below and the transcript lists its cues.'
      : cues.length === 0 ? 'Loading the cues…' : `${track.label || track.language}: ${cues.length} cues. Select one to play from there.`;
    items = cues.map((cue, index) => h('li', {},
      h('button', {
        type: 'button', class: 'cue', 'data-index': index, 'data-start': cue.startSeconds,
        onclick: () => { video.currentTime = into(cue); highlight(); },
      }, h('span', { class: 'cue-time' }, clock(cue.startSeconds)), h('span', { class: 'cue-text', lang: track?.language || null }, cue.text))));
    replace(list, ...items);
    currentIndex = -1;
    highlight();
  };

  const highlight = () => {
    const t = video.currentTime;
    // The last cue that has started and not ended; overlapping cues mark the later one.
    let index = -1;
    for (let i = 0; i < cues.length; i++) {
      if (cues[i].startSeconds <= t && t < cues[i].endSeconds) index = i;
    }
    if (index === currentIndex) return;
    items[currentIndex]?.querySelector('button')?.removeAttribute('aria-current');
    currentIndex = index;
    const button = items[index]?.querySelector('button');
    if (!button) return;
    button.setAttribute('aria-current', 'true');
    // Scrolls the list only, never the page: the panel keeps the playing cue in view while the reader is elsewhere.
    const item = items[index];
    if (item.offsetTop < list.scrollTop || item.offsetTop + item.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = item.offsetTop - list.clientHeight / 3;
    }
  };

  video.addEventListener(transcriptChange, render, { signal });
  video.addEventListener('timeupdate', highlight, { signal });
  video.addEventListener('seeked', highlight, { signal });
  // hls.js adds cues to a track that is already chosen; the track's own event says when they are there.
  const poll = window.setInterval(render, 1000);
  signal.addEventListener('abort', () => window.clearInterval(poll), { once: true });
  render();
}

/**
 * A millisecond into the cue: Chromium keeps media time in microseconds, so a seek to a start like 2.6666… lands just
 * before it, and a paused player would show no cue.
 */
function into(cue: TranscriptCue): number {
  return Math.min(cue.startSeconds + 0.001, (cue.startSeconds + cue.endSeconds) / 2);
}

/** The cue's text without its markup (<i>, <b>, <v Speaker>, <c.class>), as plain text: it goes in through textContent. */
function cueText(cue: TextTrackCue): string {
  const vtt = cue as VTTCue;
  if (typeof vtt.getCueAsHTML === 'function') return (vtt.getCueAsHTML().textContent ?? '').trim();
  return String(vtt.text ?? '').replace(/<[^>]*>/g, '').trim();
}

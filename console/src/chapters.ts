// The chapters panel beside the player (docs/api.md, Chapters): one row per chapter with its thumbnail, start and title;
// a click seeks there, the chapter being played is marked. Marks under the player show where each chapter starts.
import { clock, h, replace } from './dom';
import type { ChapterView } from './api';

export function mountChapters(container: HTMLElement, marks: HTMLElement, chapters: ChapterView[], video: HTMLVideoElement, signal: AbortSignal): void {
  container.hidden = chapters.length === 0;
  marks.hidden = chapters.length === 0;
  if (chapters.length === 0) return;
  const seek = (chapter: ChapterView) => { video.currentTime = chapter.start + 0.001; };
  const items = chapters.map((chapter, index) => h('li', {},
    h('button', { type: 'button', class: 'chapter', 'data-index': index, 'data-start': chapter.start, onclick: () => seek(chapter) },
      chapter.thumbnailUrl ? h('img', { src: chapter.thumbnailUrl, alt: '', loading: 'lazy', width: 96, height: 54 }) : h('span', { class: 'chapter-thumb' }),
      h('span', { class: 'cue-time' }, clock(chapter.start)),
      h('span', { class: 'chapter-title' }, chapter.title))));
  replace(container, h('h2', { id: 'chapters-title' }, `Chapters (${chapters.length})`),
    h('ol', { class: 'chapters', id: 'chapters', 'aria-label': 'Chapters' }, ...items));
  const duration = chapters[chapters.length - 1].end;
  replace(marks, ...chapters.map((chapter, index) => {
    const mark = h('button', {
      type: 'button', class: 'chapter-mark', title: `${clock(chapter.start)} ${chapter.title}`, 'aria-label': `Chapter ${index + 1}: ${chapter.title}`,
      onclick: () => seek(chapter),
    });
    // Set through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    mark.style.left = `${duration > 0 ? (100 * chapter.start) / duration : 0}%`;
    return mark;
  }));
  let current = -1;
  const highlight = () => {
    const t = video.currentTime;
    let index = -1;
    for (let i = 0; i < chapters.length; i++) if (chapters[i].start <= t) index = i;
    if (index === current) return;
    items[current]?.querySelector('button')?.removeAttribute('aria-current');
    current = index;
    items[index]?.querySelector('button')?.setAttribute('aria-current', 'true');
  };
  video.addEventListener('timeupdate', highlight, { signal });
  video.addEventListener('seeked', highlight, { signal });
  highlight();
}

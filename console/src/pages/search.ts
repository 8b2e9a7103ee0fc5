// Search the library's captions: GET /api/v1/search?q= lists videos with the moments whose cues hold the words,
// each moment a link to the video page at that time (/admin/videos/{id}?t=SECONDS).
import { api, ApiError, type SearchHit } from '../api';
import { clock, h, replace } from '../dom';
import { navigate, type Page } from '../router';

const pageSize = 20;

export const searchPage: Page = {
  title: 'Search',
  async render(main, { query, signal }) {
    const q = (query.get('q') ?? '').trim();
    const input = h('input', { id: 'search-q', type: 'search', name: 'q', value: q, autocomplete: 'off', placeholder: 'Words said in a lecture…' });
    const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Search captions' },
      h('div', { class: 'field' }, h('label', { for: 'search-q' }, 'Search what the lectures say'), input),
      h('button', { type: 'submit', class: 'primary' }, 'Search'));
    const summary = h('p', { id: 'search-summary', class: 'muted', role: 'status' });
    const error = h('div', { class: 'error', id: 'search-error', role: 'alert' });
    const results = h('ol', { class: 'search-results', id: 'search-results' });
    const more = h('button', { type: 'button', id: 'search-more', hidden: true }, 'More results');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      navigate(text ? `/admin/search?q=${encodeURIComponent(text)}` : '/admin/search');
    });
    replace(main, h('h1', {}, 'Search'),
      h('p', { class: 'muted' }, 'Finds the words in the videos’ caption tracks; each moment opens the video there.'),
      form, error, summary, results, h('div', { class: 'pager' }, more));
    if (!q) return;

    let cursor: string | null = null;
    let count = 0;
    const load = async () => {
      more.disabled = true;
      summary.textContent = 'Searching…';
      try {
        const page = await api.search({ q, cursor: cursor ?? undefined, limit: pageSize }, signal);
        if (signal.aborted) return;
        results.append(...page.items.map(hit));
        count += page.items.length;
        cursor = page.nextCursor;
        summary.textContent = count === 0 ? `Nothing said matches “${q}”.` : `${count} ${count === 1 ? 'video' : 'videos'}${cursor ? ' so far' : ''} for “${q}”.`;
        more.hidden = cursor === null;
      } catch (e) {
        if (signal.aborted) return;
        summary.textContent = '';
        error.textContent = e instanceof ApiError ? e.message : String(e);
      } finally {
        more.disabled = false;
      }
    };
    more.addEventListener('click', () => void load());
    await load();
  },
};

function hit(video: SearchHit): HTMLElement {
  const at = (seconds: number) => `/admin/videos/${encodeURIComponent(video.videoId)}?t=${Math.floor(seconds * 1000) / 1000}`;
  return h('li', { class: 'card search-hit', 'data-video-id': video.videoId },
    h('h2', {}, h('a', { href: `/admin/videos/${encodeURIComponent(video.videoId)}` }, video.title)),
    video.moments.length > 0 && h('ul', { class: 'moments' }, ...video.moments.map((moment) =>
      h('li', {},
        h('a', { href: at(moment.startSeconds), class: 'moment', 'data-start': moment.startSeconds },
          h('span', { class: 'cue-time' }, clock(moment.startSeconds)),
          h('span', { class: 'cue-text', lang: moment.language || null }, moment.text))))));
}

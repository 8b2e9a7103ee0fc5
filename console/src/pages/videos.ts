// Videos: newest first, title search, status filter, cursor paging, and live progress while jobs run.
import { api, ApiError, type VideoSummary } from '../api';
import { announce, h, progressBar, replace, sleep, statusChip, time } from '../dom';
import type { Page } from '../router';

export const videoStatuses = ['PENDING_UPLOAD', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED', 'DELETING', 'EXPIRED'];
export const inFlight = new Set(['UPLOADED', 'PROCESSING']);
const pageSize = 20;

export const videosPage: Page = {
  title: 'Videos',
  async render(main, { query, signal }) {
    let q = query.get('q') ?? '';
    let status = query.get('status') ?? '';
    // Cursor paging goes forward only; the cursors of the pages already seen make "Newer" possible.
    let cursors: (string | undefined)[] = [undefined];
    let next: string | null = null;
    let shown: VideoSummary[] = [];
    const progress = new Map<string, number>();

    const search = h('input', { id: 'video-search', type: 'search', name: 'q', value: q, autocomplete: 'off', placeholder: 'Title contains…' });
    const statusSelect = h('select', { id: 'video-status', name: 'status' },
      h('option', { value: '' }, 'All statuses'),
      ...videoStatuses.map((s) => h('option', { value: s, selected: s === status }, s.replace(/_/g, ' '))));
    const body = h('tbody', {});
    const table = h('table', { class: 'videos' },
      h('caption', { class: 'visually-hidden' }, 'Videos, newest first'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Progress'),
        h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Updated'))),
      body);
    const summary = h('p', { id: 'videos-summary', class: 'muted', role: 'status' });
    const error = h('div', { class: 'error', role: 'alert' });
    const newer = h('button', { type: 'button', onclick: () => void go(cursors.length - 2) }, '← Newer');
    const older = h('button', { type: 'button', onclick: () => void go(cursors.length) }, 'Older →');
    const pageLabel = h('span', { class: 'muted' });

    const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Find videos' },
      h('div', { class: 'field' }, h('label', { for: 'video-search' }, 'Search titles'), search),
      h('div', { class: 'field' }, h('label', { for: 'video-status' }, 'Status'), statusSelect),
      h('button', { type: 'submit' }, 'Search'));
    form.addEventListener('submit', (event) => { event.preventDefault(); void apply(); });
    statusSelect.addEventListener('change', () => void apply());
    let typing = 0;
    search.addEventListener('input', () => {
      window.clearTimeout(typing);
      typing = window.setTimeout(() => void apply(), 350);
    });

    replace(main,
      h('div', { class: 'page-head' }, h('h1', {}, 'Videos'), h('a', { href: '/admin/upload', class: 'button primary' }, 'Upload a video')),
      form, error, summary, h('div', { class: 'table-wrap' }, table),
      h('nav', { class: 'pager', 'aria-label': 'Pages' }, newer, pageLabel, older));

    async function apply(): Promise<void> {
      q = search.value.trim();
      status = statusSelect.value;
      const params = new URLSearchParams();
      if (q) params.set('q', q);
      if (status) params.set('status', status);
      history.replaceState(null, '', `/admin/videos${params.size ? `?${params}` : ''}`);
      cursors = [undefined];
      await load();
    }

    async function go(index: number): Promise<void> {
      if (index < 0) return;
      if (index === cursors.length) {
        if (!next) return;
        cursors.push(next);
      } else {
        cursors = cursors.slice(0, index + 1);
      }
      await load();
      table.querySelector('a')?.focus();
    }

    async function load(): Promise<void> {
      try {
        const page = await api.listVideos({ q, status, cursor: cursors[cursors.length - 1], limit: pageSize }, signal);
        replace(error);
        next = page.nextCursor;
        await refreshProgress(page.items);
        show(page.items);
      } catch (failure) {
        if (signal.aborted) return;
        error.textContent = failure instanceof ApiError ? failure.message : String(failure);
      }
    }

    async function refreshProgress(items: VideoSummary[]): Promise<void> {
      await Promise.all(items.filter((v) => inFlight.has(v.status)).map(async (v) => {
        try {
          progress.set(v.videoId, (await api.getVideo(v.videoId, signal)).progressPercent);
        } catch {
          progress.delete(v.videoId);
        }
      }));
    }

    function show(items: VideoSummary[]): void {
      const sameRows = items.length === shown.length && items.every((v, i) => v.videoId === shown[i].videoId);
      for (const video of items) {
        const before = shown.find((v) => v.videoId === video.videoId);
        if (before && before.status !== video.status) announce(`${video.title}: ${video.status.replace(/_/g, ' ')}`);
      }
      if (sameRows) {
        // Update cells in place so focus and scroll stay where the reader left them.
        items.forEach((video, i) => fill(body.rows[i], video));
      } else {
        replace(body, ...items.map((video) => fill(h('tr', {}), video)));
      }
      shown = items;
      summary.textContent = items.length === 0
        ? (q || status ? 'No videos match.' : 'No videos yet.')
        : `${items.length} video${items.length === 1 ? '' : 's'}${q ? ` with “${q}” in the title` : ''}${status ? `, ${status.replace(/_/g, ' ')}` : ''}.`;
      newer.disabled = cursors.length <= 1;
      older.disabled = !next;
      pageLabel.textContent = `Page ${cursors.length}`;
    }

    function fill(row: HTMLTableRowElement, video: VideoSummary): HTMLTableRowElement {
      const percent = video.status === 'READY' ? 100 : progress.get(video.videoId);
      const cells = [
        h('a', { href: `/admin/videos/${video.videoId}` }, video.title),
        statusChip(video.status),
        inFlight.has(video.status) && percent !== undefined ? progressBar(percent, `${video.title} progress`) : null,
        time(video.createdAt),
        time(video.updatedAt),
      ];
      const labels = ['Title', 'Status', 'Progress', 'Created', 'Updated'];
      if (row.cells.length !== cells.length) {
        replace(row, ...cells.map((cell, i) => i === 0 ? h('th', { scope: 'row', 'data-label': labels[i] }, cell) : h('td', { 'data-label': labels[i] }, cell)));
        row.dataset.videoId = video.videoId;
        return row;
      }
      // The title link stays the same element (it may hold focus); the rest is redrawn.
      const link = row.cells[0].querySelector('a');
      if (link && link.textContent !== video.title) link.textContent = video.title;
      cells.slice(1).forEach((cell, i) => replace(row.cells[i + 1], cell));
      return row;
    }

    await load();
    // Live refresh: every 2 s while a job runs on this page, every 5 s otherwise (new videos appear on the first page).
    while (!signal.aborted) {
      await sleep(shown.some((v) => inFlight.has(v.status)) ? 2000 : 5000, signal);
      if (!signal.aborted && document.visibilityState === 'visible') await load();
    }
  },
};

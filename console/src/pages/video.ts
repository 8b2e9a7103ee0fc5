// One video: player, source, progress, the job with every attempt, and the actions (Retry, Delete, copy the playback URL).
import { api, ApiError, type AttemptView, type VideoDetails } from '../api';
import { announce, between, bytes, h, progressBar, replace, sleep, statusChip, time } from '../dom';
import { mountPlayer } from '../player';
import { navigate, type Page } from '../router';
import { isInternal } from '../session';

const settled = new Set(['READY', 'FAILED', 'DELETED', 'EXPIRED']);

export const videoPage: Page = {
  title: 'Video',
  async render(main, { params, signal }) {
    const id = params.id;
    const heading = h('h1', {}, 'Video');
    const chip = h('span', {});
    const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
    const message = h('div', { class: 'error', role: 'alert' });
    const failure = h('section', { class: 'failure', 'aria-labelledby': 'failure-title', hidden: true });
    const player = h('section', { class: 'player', 'aria-label': 'Player', hidden: true });
    const playback = h('div', { class: 'playback-url', hidden: true });
    const progress = h('section', { class: 'card', 'aria-labelledby': 'progress-title', hidden: true });
    const details = h('dl', { class: 'details' });
    const timeline = h('section', { class: 'card', 'aria-labelledby': 'job-title' });
    const dialog = confirmDialog();
    const logDialog = h('dialog', { class: 'log-dialog', 'aria-labelledby': 'log-title' });

    replace(main,
      h('p', {}, h('a', { href: '/admin/videos' }, '← Videos')),
      h('div', { class: 'page-head' }, h('div', { class: 'title-line' }, heading, chip), actions),
      message,
      h('div', { class: 'video-layout' },
        h('div', { class: 'video-main' }, failure, player, playback, progress,
          h('section', { class: 'card', 'aria-labelledby': 'source-title' }, h('h2', { id: 'source-title' }, 'Video and source'), details)),
        timeline),
      dialog.element, logDialog);

    let video: VideoDetails;
    try {
      video = await api.getVideo(id, signal);
    } catch (error) {
      if (signal.aborted) return;
      heading.textContent = error instanceof ApiError && error.status === 404 ? 'Video not found' : 'Video';
      message.textContent = error instanceof ApiError ? error.message : String(error);
      return;
    }

    let playerFor: string | null = null;
    let lastStatus = '';
    while (!signal.aborted) {
      show(video);
      if (video.status === 'READY' && playerFor !== video.hlsPath) {
        playerFor = video.hlsPath;
        await showPlayer(video);
      }
      if (settled.has(video.status) && video.job?.state !== 'RETRY_WAIT') break;
      await sleep(1500, signal);
      if (signal.aborted) return;
      try {
        video = await api.getVideo(id, signal);
      } catch (error) {
        if (!signal.aborted) message.textContent = error instanceof ApiError ? error.message : String(error);
        return;
      }
    }

    function show(v: VideoDetails): void {
      document.title = `${v.title} · Academy Video console`;
      heading.textContent = v.title;
      replace(chip, statusChip(v.status));
      if (v.status !== lastStatus) {
        if (lastStatus) announce(`${v.title} is ${v.status.replace(/_/g, ' ')}`);
        lastStatus = v.status;
        showActions(v);
      }
      showFailure(v);
      showProgress(v);
      showDetails(v);
      showTimeline(v);
    }

    function showActions(v: VideoDetails): void {
      const buttons: HTMLElement[] = [];
      if (v.status === 'FAILED') {
        buttons.push(h('button', { type: 'button', class: 'primary', id: 'retry', onclick: retry }, 'Retry'));
      }
      if (v.status !== 'DELETING') {
        buttons.push(h('button', { type: 'button', class: 'danger', id: 'delete', onclick: () => dialog.open(v.title, remove) }, 'Delete…'));
      }
      replace(actions, ...buttons);
    }

    function showFailure(v: VideoDetails): void {
      failure.hidden = v.status !== 'FAILED';
      if (failure.hidden) return;
      const job = v.job;
      replace(failure,
        h('h2', { id: 'failure-title' }, job?.state === 'DEAD' ? `Failed after ${job.attemptCount} attempts (DEAD)` : 'Failed'),
        h('p', {}, h('code', { class: 'error-code', id: 'error-code' }, job?.errorCode ?? 'UNKNOWN'), ' ', job?.errorMessage ?? ''),
        h('p', { class: 'muted' }, 'Retry queues a new job for this source. Each attempt and its error is listed under Job.'));
    }

    function showProgress(v: VideoDetails): void {
      const job = v.job;
      progress.hidden = !(v.status === 'UPLOADED' || v.status === 'PROCESSING' || job?.state === 'RETRY_WAIT');
      if (progress.hidden || !job) return;
      replace(progress,
        h('h2', { id: 'progress-title' }, 'Transcoding'),
        progressBar(v.progressPercent, 'Transcode progress'),
        h('p', {}, `Job ${job.state.replace(/_/g, ' ')} · attempt ${job.attemptCount} of ${job.maxAttempts}`,
          job.lastHeartbeatAt ? ' · last heartbeat ' : '', job.lastHeartbeatAt ? time(job.lastHeartbeatAt) : '',
          job.nextAttemptAt ? ' · next attempt ' : '', job.nextAttemptAt ? time(job.nextAttemptAt) : ''));
    }

    function showDetails(v: VideoDetails): void {
      const rows: [string, Node | string][] = [
        ['Video id', h('code', {}, v.videoId)],
        ['Source size', bytes(v.sourceSizeBytes)],
        ...sourceRows(v.source),
        ['HLS path', v.hlsPath ? h('code', {}, v.hlsPath) : '—'],
        ['Created', time(v.createdAt)],
        ['Updated', time(v.updatedAt)],
      ];
      if (v.storyboardUrl) rows.push(['Storyboard', h('a', { href: v.storyboardUrl, target: '_blank', rel: 'noopener' }, 'Thumbnails (WebVTT)')]);
      replace(details, ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
    }

    function showTimeline(v: VideoDetails): void {
      const job = v.job;
      if (!job) {
        replace(timeline, h('h2', { id: 'job-title' }, 'Job'), h('p', { class: 'muted' }, 'No job yet: the source has not been uploaded and completed.'));
        return;
      }
      replace(timeline,
        h('h2', { id: 'job-title' }, 'Job'),
        h('dl', { class: 'details' },
          h('dt', {}, 'Job id'), h('dd', {}, h('code', {}, job.jobId)),
          h('dt', {}, 'State'), h('dd', {}, statusChip(job.state)),
          h('dt', {}, 'Attempts'), h('dd', {}, `${job.attemptCount} of ${job.maxAttempts}`),
          h('dt', {}, 'Batch id'), h('dd', {}, job.batchJobId ? h('code', {}, job.batchJobId) : '—')),
        h('h3', {}, 'Attempts'),
        v.attempts.length === 0
          ? h('p', { class: 'muted' }, 'No attempt has started yet.')
          : h('ol', { class: 'timeline', id: 'attempts' }, ...[...v.attempts].sort((a, b) => b.attempt - a.attempt).map((a) => attemptItem(job.jobId, a))));
    }

    function attemptItem(jobId: string, a: AttemptView): HTMLElement {
      const outcome = a.outcome ?? (a.endedAt ? 'ENDED' : 'RUNNING');
      return h('li', { class: 'attempt', 'data-attempt': a.attempt },
        h('div', { class: 'attempt-head' }, h('strong', {}, `Attempt ${a.attempt}`), statusChip(outcome)),
        h('dl', { class: 'details compact' },
          h('dt', {}, 'Started'), h('dd', {}, time(a.startedAt)),
          h('dt', {}, 'Ended'), h('dd', {}, time(a.endedAt)),
          h('dt', {}, 'Duration'), h('dd', {}, a.endedAt ? between(a.startedAt, a.endedAt) : 'running'),
          h('dt', {}, 'Batch id'), h('dd', {}, a.batchJobId ? h('code', {}, a.batchJobId) : '—'),
          a.errorCode && h('dt', {}, 'Error'),
          a.errorCode && h('dd', {}, h('code', { class: 'error-code' }, a.errorCode), ' ', a.errorMessage ?? '')),
        // Logs are operators' business: only an internal key can read them (the API enforces it too).
        isInternal() && a.batchJobId && h('button', { type: 'button', class: 'link-button', onclick: () => void showLog(jobId, a.attempt) }, `Log of attempt ${a.attempt}`));
    }

    async function showLog(jobId: string, attempt: number): Promise<void> {
      const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
      replace(logDialog,
        h('div', { class: 'dialog-head' }, h('h2', { id: 'log-title' }, `Log of attempt ${attempt}`),
          h('button', { type: 'button', onclick: () => logDialog.close() }, 'Close')),
        body);
      logDialog.showModal();
      try {
        const log = await api.attemptLog(jobId, attempt);
        replace(body,
          h('p', { class: 'muted' }, `Runner job ${log.runnerJobId} · ${log.location}`),
          log.consoleUrl && h('p', {}, h('a', { href: log.consoleUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open this log in the AWS console')),
          log.text !== null && h('pre', { class: 'log', tabindex: 0, 'aria-label': 'Log text' }, log.text || '(empty)'));
      } catch (error) {
        replace(body, h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : String(error)));
      }
    }

    async function showPlayer(v: VideoDetails): Promise<void> {
      player.hidden = false;
      let url = v.playbackUrl;
      let expires: string | null = null;
      try {
        // Signed playback hands out an expiring URL; in public mode this is the playbackUrl again.
        const grant = await api.playback(v.videoId, signal);
        url = grant.url;
        expires = grant.expiresAt;
      } catch (error) {
        if (signal.aborted) return;
        if (!url) {
          replace(player, h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : String(error)));
          return;
        }
      }
      if (!url) return;
      await mountPlayer(player, url, v.posterUrl, signal);
      showPlaybackUrl(url, expires);
    }

    function showPlaybackUrl(url: string, expiresAt: string | null): void {
      const field = h('input', { id: 'playback-url', type: 'text', readonly: true, value: url, 'aria-describedby': 'playback-url-note' });
      const note = h('span', { id: 'playback-url-note', class: 'muted', role: 'status' });
      const copy = h('button', {
        type: 'button', id: 'copy-playback', onclick: async () => {
          try {
            await navigator.clipboard.writeText(url);
            note.textContent = 'Copied.';
          } catch {
            // Clipboard access needs a secure context and permission; selecting the text lets Ctrl+C do it.
            field.focus();
            field.select();
            note.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
          }
        },
      }, 'Copy playback URL');
      replace(playback, h('label', { for: 'playback-url' }, 'Playback URL'), h('div', { class: 'copy-row' }, field, copy), note);
      if (expiresAt) replace(note, 'Signed URL, valid until ', time(expiresAt));
      playback.hidden = false;
    }

    async function retry(): Promise<void> {
      try {
        await api.retry(id);
        announce('Retry queued');
        navigate(`/admin/videos/${id}`, { replace: true });
      } catch (error) {
        message.textContent = error instanceof ApiError ? error.message : String(error);
      }
    }

    async function remove(): Promise<void> {
      try {
        await api.deleteVideo(id);
        announce(`Deleted ${video.title}`);
        navigate('/admin/videos');
      } catch (error) {
        message.textContent = error instanceof ApiError ? error.message : String(error);
      }
    }
  },
};

/** Issue 12's source probe (duration, size, rotation, codecs, frame rate, bitrate), whatever fields the API sends. */
function sourceRows(source: Record<string, unknown> | null | undefined): [string, string][] {
  if (!source || typeof source !== 'object') return [];
  return Object.entries(source)
    .filter(([, value]) => value !== null && value !== undefined && typeof value !== 'object')
    .map(([name, value]) => [
      name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()),
      typeof value === 'number' && /bytes$/i.test(name) ? bytes(value) : String(value),
    ]);
}

function confirmDialog() {
  const title = h('strong', {});
  let action: () => Promise<void> = async () => {};
  const confirm = h('button', { type: 'button', class: 'danger', id: 'confirm-delete' }, 'Delete video');
  const cancel = h('button', { type: 'button', id: 'cancel-delete' }, 'Cancel');
  const element = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
    h('h2', { id: 'confirm-title' }, 'Delete this video?'),
    h('p', { id: 'confirm-text' }, 'Deleting ', title, ' stops its job and removes its source and HLS files from storage. This cannot be undone.'),
    h('div', { class: 'actions' }, cancel, confirm));
  cancel.addEventListener('click', () => element.close());
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    await action();
    element.close();
    confirm.disabled = false;
  });
  return {
    element,
    open(videoTitle: string, onConfirm: () => Promise<void>) {
      title.textContent = `“${videoTitle}”`;
      action = onConfirm;
      element.showModal();
      cancel.focus();
    },
  };
}

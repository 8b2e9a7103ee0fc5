// One video: player (with captions) and storyboard, the transcript, caption tracks, source, progress, the job with every
// attempt and the jobs before it, and the actions (Retry, Delete, copy the playback URL).
import { api, ApiError, type AttemptView, type CaptionTrack, type JobHistoryView, type LoudnessView, type ProfileView, type SourceView, type VideoDetails } from '../api';
import { announce, between, bytes, clock, h, progressBar, replace, sleep, statusChip, time } from '../dom';
import { mountPlayer, type PlayerHandle } from '../player';
import { mountTranscript } from '../transcript';
import { mountStoryboard } from '../storyboard';
import { mountChapters } from '../chapters';
import { navigate, type Page } from '../router';
import { isInternal } from '../session';

const settled = new Set(['READY', 'FAILED', 'DELETED', 'EXPIRED']);

export const videoPage: Page = {
  title: 'Video',
  async render(main, { params, query, signal }) {
    const id = params.id;
    // ?t=SECONDS opens the player there (a search result's moment links here); m:ss and h:mm:ss work too.
    const startAt = startTime(query.get('t'));
    const heading = h('h1', {}, 'Video');
    const chip = h('span', {});
    const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
    const message = h('div', { class: 'error', role: 'alert' });
    const failure = h('section', { class: 'failure', 'aria-labelledby': 'failure-title', hidden: true });
    const player = h('section', { class: 'player', 'aria-label': 'Player', hidden: true });
    const storyboard = h('section', { class: 'card', 'aria-labelledby': 'storyboard-title', hidden: true });
    const transcript = h('section', { class: 'card transcript-panel', 'aria-labelledby': 'transcript-title', hidden: true });
    const chapters = h('section', { class: 'card chapters-panel', 'aria-labelledby': 'chapters-title', hidden: true });
    const chapterMarks = h('div', { class: 'chapter-marks', id: 'chapter-marks', 'aria-label': 'Chapter starts', hidden: true });
    const captions = h('section', { class: 'card', 'aria-labelledby': 'captions-title', hidden: true });
    const playback = h('div', { class: 'playback-url', hidden: true });
    const progress = h('section', { class: 'card', 'aria-labelledby': 'progress-title', hidden: true });
    const details = h('dl', { class: 'details' });
    const currentJob = h('div', {});
    const history = h('div', { class: 'job-history', hidden: true });
    const timeline = h('section', { class: 'card', 'aria-labelledby': 'job-title' }, currentJob, history);
    const dialog = confirmDialog();
    const logDialog = h('dialog', { class: 'log-dialog', 'aria-labelledby': 'log-title' });

    replace(main,
      h('p', {}, h('a', { href: '/admin/videos' }, '← Videos')),
      h('div', { class: 'page-head' }, h('div', { class: 'title-line' }, heading, chip), actions),
      message,
      h('div', { class: 'video-layout' },
        h('div', { class: 'video-main' }, failure, player, chapterMarks, storyboard, playback, progress, captions,
          h('section', { class: 'card', 'aria-labelledby': 'source-title' }, h('h2', { id: 'source-title' }, 'Video and source'), details)),
        h('div', { class: 'video-side' }, chapters, transcript, timeline)),
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

    // The player lives in a scope of its own: a caption track added or deleted changes the master, and the player is
    // mounted again (where it was) to read it.
    let playerScope: AbortController | null = null;
    let playerFor: string | null = null;
    let playingEarly = false;
    let captionsShown = false;
    let playing: PlayerHandle | null = null;
    let lastStatus = '';
    let historyFor: string | undefined;
    while (!signal.aborted) {
      show(video);
      // A PROCESSING video that is playable already plays what is published (docs/api.md, Playable before READY); the
      // player keeps its playlists at READY (same URIs, appended segments), so READY only adds the captions and the
      // storyboard. A retried attempt plays under another URL: the player is mounted again for it.
      const source = video.status === 'READY' ? video.hlsPath : video.playable ? video.playbackUrl : null;
      if (source && playerFor !== source && !(video.status === 'READY' && playingEarly)) {
        playerFor = source;
        playingEarly = video.status !== 'READY';
        await showPlayer(video, startAt);
      }
      if (video.status === 'READY' && !captionsShown) {
        captionsShown = true;
        if (playingEarly) {
          playingEarly = false;
          playerFor = video.hlsPath;
          void readyExtras(video);
        }
        void showCaptions(video.videoId);
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
      void showHistory(v);
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
      const rows: Row[] = [
        ['Video id', h('code', {}, v.videoId)],
        ['Source size', bytes(v.sourceSizeBytes)],
        ...sourceRows(v.source),
        ['Poster at', v.posterAtSeconds === null ? 'a tenth of the way in (default)' : seconds(v.posterAtSeconds), 'poster-at'],
        ['HLS path', v.hlsPath ? h('code', {}, v.hlsPath) : '—'],
        ['Created', time(v.createdAt)],
        ['Updated', time(v.updatedAt)],
      ];
      replace(details, ...rows.flatMap(([term, value, key]) => [h('dt', {}, term), h('dd', { 'data-source': key }, value)]));
    }

    function showTimeline(v: VideoDetails): void {
      const job = v.job;
      if (!job) {
        replace(currentJob,
          h('h2', { id: 'job-title' }, 'Job'),
          h('p', { class: 'muted' }, 'No job yet: the source has not been uploaded and completed.'));
        return;
      }
      replace(currentJob,
        h('h2', { id: 'job-title' }, 'Job'),
        h('dl', { class: 'details' },
          h('dt', {}, 'Job id'), h('dd', {}, h('code', {}, job.jobId)),
          h('dt', {}, 'State'), h('dd', {}, statusChip(job.state)),
          h('dt', {}, 'Attempts'), h('dd', {}, `${job.attemptCount} of ${job.maxAttempts}`),
          h('dt', {}, 'Batch id'), h('dd', {}, job.batchJobId ? h('code', {}, job.batchJobId) : '—'),
          job.topRungCode && h('dt', {}, 'Top rendition'),
          job.topRungCode && h('dd', { id: 'top-rung' }, topRung(job.topRungCode, job.topRungReason ?? null)),
          job.loudness && h('dt', {}, 'Loudness'),
          job.loudness && h('dd', { id: 'loudness' }, loudness(job.loudness)),
          job.profile && h('dt', {}, 'Lecture profile'),
          job.profile && h('dd', { id: 'profile' }, profile(job.profile))),
        h('h3', {}, 'Attempts'),
        attemptList(job.jobId, v.attempts, 'attempts'));
    }

    function attemptList(jobId: string, attempts: AttemptView[], id?: string): HTMLElement {
      return attempts.length === 0
        ? h('p', { class: 'muted' }, 'No attempt has started yet.')
        : h('ol', { class: 'timeline', id }, ...[...attempts].sort((a, b) => b.attempt - a.attempt).map((a) => attemptItem(jobId, a)));
    }

    // The jobs before the current one (a retry starts a new job) are finished: they are read again only when the
    // current job changes (historyFor), and drawn apart from the polled part so an opened <details> stays open.
    async function showHistory(v: VideoDetails): Promise<void> {
      const current = v.job?.jobId;
      if (current === undefined || historyFor === current) return;
      historyFor = current;
      let jobs: JobHistoryView[];
      try {
        jobs = (await api.videoJobs(v.videoId, signal)).jobs;
      } catch (error) {
        if (signal.aborted) return;
        historyFor = undefined;
        replace(history, h('p', { class: 'error' }, `Earlier jobs: ${error instanceof ApiError ? error.message : String(error)}`));
        history.hidden = false;
        return;
      }
      const earlier = jobs.filter((j) => j.jobId !== current);
      history.hidden = earlier.length === 0;
      replace(history,
        h('h3', { id: 'history-title' }, `Earlier jobs (${earlier.length})`),
        h('div', { id: 'job-history', role: 'group', 'aria-labelledby': 'history-title' }, ...earlier.map(earlierJob)));
    }

    function earlierJob(job: JobHistoryView): HTMLElement {
      return h('details', { class: 'earlier-job', 'data-job-id': job.jobId },
        h('summary', {}, h('span', { class: 'summary-line' },
          h('strong', {}, `Job ${job.jobId.slice(0, 8)}`), statusChip(job.state), h('span', { class: 'muted' }, time(job.createdAt)))),
        h('dl', { class: 'details compact' },
          h('dt', {}, 'Job id'), h('dd', {}, h('code', {}, job.jobId)),
          h('dt', {}, 'Attempts'), h('dd', {}, `${job.attemptCount} of ${job.maxAttempts}`),
          h('dt', {}, 'Created'), h('dd', {}, time(job.createdAt)),
          h('dt', {}, 'Finished'), h('dd', {}, time(job.finishedAt)),
          job.errorCode && h('dt', {}, 'Error'),
          job.errorCode && h('dd', {}, h('code', { class: 'error-code' }, job.errorCode), ' ', job.errorMessage ?? ''),
          job.topRungCode && h('dt', {}, 'Top rendition'),
          job.topRungCode && h('dd', {}, topRung(job.topRungCode, job.topRungReason))),
        h('h4', {}, 'Attempts'),
        attemptList(job.jobId, job.attempts));
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

    async function showPlayer(v: VideoDetails, at?: number): Promise<void> {
      playerScope?.abort();
      const scope = new AbortController();
      playerScope = scope;
      signal.addEventListener('abort', () => scope.abort(), { once: true });
      player.hidden = false;
      let url = v.playbackUrl;
      let expires: string | null = null;
      let posterUrl = v.posterUrl;
      let storyboardUrl = v.storyboardUrl;
      try {
        // Signed playback hands out an expiring URL, and the poster and storyboard signed alike; in public mode this is the playbackUrl again.
        const grant = await api.playback(v.videoId, signal);
        url = grant.url;
        expires = grant.expiresAt;
        posterUrl = grant.posterUrl ?? posterUrl;
        storyboardUrl = grant.storyboardUrl ?? storyboardUrl;
      } catch (error) {
        if (signal.aborted) return;
        if (!url) {
          replace(player, h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : String(error)));
          return;
        }
      }
      if (!url || scope.signal.aborted) return;
      const handle = await mountPlayer(player, url, posterUrl, scope.signal, { startAt: at });
      playing = handle;
      showPlaybackUrl(url, expires);
      mountTranscript(transcript, handle, scope.signal);
      if (v.status === 'READY') mountChapters(chapters, chapterMarks, v.chapters ?? [], handle.video, scope.signal);
      if (storyboardUrl && !scope.signal.aborted) await mountStoryboard(storyboard, storyboardUrl, handle.video, scope.signal);
    }

    /** What READY adds to a player that started while PROCESSING: the storyboard (and the poster the worker wrote last). */
    async function readyExtras(v: VideoDetails): Promise<void> {
      let storyboardUrl = v.storyboardUrl;
      try {
        storyboardUrl = (await api.playback(v.videoId, signal)).storyboardUrl ?? storyboardUrl;
      } catch {
        // The player keeps playing; the storyboard is an extra.
      }
      if (playing && !signal.aborted) mountChapters(chapters, chapterMarks, v.chapters ?? [], playing.video, signal);
      if (storyboardUrl && playing && !signal.aborted) await mountStoryboard(storyboard, storyboardUrl, playing.video, signal);
    }

    async function reloadPlayer(v: VideoDetails): Promise<void> {
      const at = (document.getElementById('player') as HTMLVideoElement | null)?.currentTime;
      // The master was rewritten under the same URL: fetching it with cache "reload" replaces a copy the browser may
      // hold (the local media route sends Last-Modified, which allows heuristic caching), so hls.js reads the new one.
      if (v.playbackUrl) await fetch(v.playbackUrl, { cache: 'reload', signal }).catch(() => undefined);
      if (!signal.aborted) await showPlayer(v, at);
    }

    async function showCaptions(videoId: string): Promise<void> {
      const list = h('ul', { class: 'caption-tracks', id: 'caption-tracks' });
      const error = h('p', { class: 'error', id: 'caption-error', role: 'alert' });
      const file = h('input', { type: 'file', id: 'caption-file', name: 'file', accept: '.vtt,.srt,text/vtt,application/x-subrip', required: true, class: 'file-input' });
      const language = h('input', { type: 'text', id: 'caption-language', name: 'language', required: true, class: 'short-field', placeholder: 'ko', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'caption-language-help' });
      const label = h('input', { type: 'text', id: 'caption-label', name: 'label', required: true, maxlength: 100, placeholder: '한국어', autocomplete: 'off' });
      const kind = h('select', { id: 'caption-kind', name: 'kind' },
        h('option', { value: 'subtitles' }, 'Subtitles'), h('option', { value: 'captions' }, 'Captions (for the deaf and hard of hearing)'));
      const submit = h('button', { type: 'submit', class: 'primary', id: 'caption-upload' }, 'Upload captions');
      const form = h('form', { class: 'caption-form', id: 'caption-form' },
        h('label', { for: 'caption-file' }, 'WebVTT or SRT file'), file,
        h('div', { class: 'caption-fields' },
          h('div', {}, h('label', { for: 'caption-language' }, 'Language'), language,
            h('p', { class: 'field-help muted', id: 'caption-language-help' }, 'A BCP 47 tag: ko, en, en-US.')),
          h('div', {}, h('label', { for: 'caption-label' }, 'Label'), label),
          h('div', {}, h('label', { for: 'caption-kind' }, 'Kind'), kind)),
        h('div', { class: 'actions' }, submit), error);
      replace(captions, h('h2', { id: 'captions-title' }, 'Captions'), list, form);
      captions.hidden = false;

      const draw = (tracks: CaptionTrack[]) => replace(list, ...(tracks.length === 0
        ? [h('li', { class: 'muted' }, 'No caption tracks yet.')]
        : tracks.map((track) => h('li', { 'data-language': track.language, 'data-kind': track.kind },
          h('span', { lang: track.language }, track.label), ' ', h('code', {}, `${track.language} · ${track.kind}`),
          h('span', { class: 'muted' }, ` · ${track.cueCount} cues`), ' ',
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${track.label} (${track.language}, ${track.kind})`, onclick: () => void removeTrack(track) }, 'Delete')))));
      const load = async () => {
        try {
          draw((await api.captions(videoId, signal)).items ?? []);
        } catch (e) {
          if (!signal.aborted) error.textContent = e instanceof ApiError ? e.message : String(e);
        }
      };
      const changed = async (done: string) => {
        announce(done);
        await load();
        if (!signal.aborted) await reloadPlayer(await api.getVideo(videoId, signal));
      };
      async function removeTrack(track: CaptionTrack): Promise<void> {
        error.textContent = '';
        try {
          await api.deleteCaption(videoId, track.language, track.kind);
          await changed(`Deleted the ${track.label} captions`);
        } catch (e) {
          if (!signal.aborted) error.textContent = e instanceof ApiError ? e.message : String(e);
        }
      }
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        error.textContent = '';
        const chosen = file.files?.[0];
        if (!chosen) return;
        const body = new FormData();
        body.set('file', chosen, chosen.name);
        body.set('language', language.value.trim());
        body.set('label', label.value.trim());
        body.set('kind', kind.value);
        submit.disabled = true;
        try {
          const added = await api.addCaption(videoId, body);
          form.reset();
          await changed(`Added the ${added.label} captions`);
        } catch (e) {
          // The API's code and its detail as they are: CAPTION_INVALID names the line that does not parse.
          if (!signal.aborted) error.textContent = e instanceof ApiError ? e.message : String(e);
        } finally {
          submit.disabled = false;
        }
      });
      await load();
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

/** `?t=` as seconds (12, 12.5) or a clock (1:05, 1:02:05); undefined when absent or not a time. */
export function startTime(value: string | null): number | undefined {
  if (!value) return undefined;
  const parts = value.trim().split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return undefined;
  const total = parts.reduce((sum, part) => sum * 60 + Number(part), 0);
  return Number.isFinite(total) && total > 0 ? total : undefined;
}

/** A labelled row of a details list; the key names its value for tests (data-source). */
type Row = [term: string, value: Node | string, key?: string];

/** The worker's probe of the source, one labelled row each. */
function sourceRows(source: SourceView | null): Row[] {
  if (!source) return [['Source probe', 'not yet: the worker probes the source when its job starts', 'probe']];
  const turned = source.rotationDegrees % 180 !== 0;
  return [
    ['Duration', clock(source.durationSeconds, true), 'duration'],
    ['Picture', `${source.width}×${source.height}` + (source.rotationDegrees
      ? `, turned ${source.rotationDegrees}° when played (${turned ? `${source.height}×${source.width}` : `${source.width}×${source.height}`})`
      : ''), 'picture'],
    ['Video codec', source.videoCodec, 'video-codec'],
    ['Audio codec', source.audioCodec ?? 'no audio', 'audio-codec'],
    ['Frame rate', `${decimal(source.framesPerSecond)} fps`, 'frame-rate'],
    ['Bitrate', bitrate(source.bitrateKbps), 'bitrate'],
  ];
}

function bitrate(kbps: number | null): string {
  if (kbps === null) return 'not given by the file';
  return kbps < 1000 ? `${kbps} kbps` : `${decimal(kbps / 1000)} Mbps`;
}

/** Up to two decimals, none when whole: 29.97, 30, 4.83. */
function decimal(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Seconds as given (2.5 s), with the clock position past a minute (125 s · 2:05). */
function seconds(value: number): string {
  return value >= 60 ? `${decimal(value)} s · ${clock(value)}` : `${decimal(value)} s`;
}

/** The fast path's decision on the top rendition: copied from the source (SOURCE_COPY), or encoded and why. */
function topRung(code: string, reason: string | null): HTMLElement {
  return h('span', { class: 'top-rung' },
    code === 'SOURCE_COPY' ? h('strong', {}, 'Copied from the source') : h('span', {}, h('strong', {}, 'Encoded'), ' ', h('code', {}, code)),
    reason && h('span', { class: 'reason' }, reason));
}

/** What the loudness normalisation did to the audio, with the source's measured figures. */
function loudness(view: LoudnessView): HTMLElement {
  const label: Record<string, string> = {
    normalized: 'Normalised',
    silent: 'Silent: left as it is',
    no_audio: 'No audio',
    disabled: 'Not normalised (turned off)',
  };
  const figures = [
    view.inputIntegratedLufs !== null && `source ${decimal(view.inputIntegratedLufs)} LUFS integrated`,
    view.inputTruePeakDbtp !== null && `true peak ${decimal(view.inputTruePeakDbtp)} dBTP`,
    view.inputLoudnessRangeLu !== null && `range ${decimal(view.inputLoudnessRangeLu)} LU`,
  ].filter((f): f is string => typeof f === 'string');
  return h('span', { class: 'loudness' },
    h('strong', {}, label[view.status] ?? view.status),
    figures.length > 0 && h('span', { class: 'reason' }, figures.join(' · ')));
}

/** Whether the lecture was encoded as slides or camera, with the analysis's figures. */
function profile(view: ProfileView): HTMLElement {
  const label: Record<string, string> = {
    slides: 'Slides: encoded with the still-picture settings',
    camera: 'Camera: the usual settings',
    disabled: 'Not decided (turned off): the usual settings',
  };
  const figures = [
    view.stillShare !== null && `${Math.round(view.stillShare * 100)} % of frames still`,
    view.motion !== null && `motion ${decimal(view.motion)}`,
    view.analyzedSeconds !== null && `${decimal(view.analyzedSeconds)} s analysed`,
  ].filter((f): f is string => typeof f === 'string');
  return h('span', { class: 'profile' },
    h('strong', {}, label[view.kind] ?? view.kind),
    figures.length > 0 && h('span', { class: 'reason' }, figures.join(' · ')));
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

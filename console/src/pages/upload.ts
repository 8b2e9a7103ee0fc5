// Upload: drop or choose a file, send it (in parts when the API asks for multipart) with per-part
// progress, resume an interrupted upload after a reload, then follow the transcode to READY.
import { api, ApiError, type StoredPart, type UploadView, type VideoSummary } from '../api';
import { announce, bytes, h, progressBar, replace, sleep, statusChip, time } from '../dom';
import type { Page } from '../router';
import { forget, matches, remember, rememberedUploads, sendSource, type UploadProgress } from '../uploader';

export const uploadPage: Page = {
  title: 'Upload',
  async render(main, { signal }) {
    let file: File | null = null;
    let resumeId: string | null = null;

    const input = h('input', { id: 'file', type: 'file', accept: 'video/*,.mkv,.mov,.mp4,.webm', class: 'file-input', 'aria-describedby': 'drop-help' });
    const zone = h('div', { class: 'dropzone', id: 'dropzone' },
      h('label', { for: 'file' }, h('strong', {}, 'Choose a video file'), ' or drop it here'),
      input,
      h('p', { id: 'drop-help', class: 'muted' }, 'The file goes straight to storage; large files go in parts and can resume after a reload.'));
    const title = h('input', { id: 'title', type: 'text', required: true, maxlength: 200, autocomplete: 'off' });
    // Text, not type=number: a browser empties a number field it cannot read, and the API's range check is the one shown.
    const posterAt = h('input', {
      id: 'poster-at', type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'short-field',
      'aria-describedby': 'poster-at-help poster-at-error',
    });
    const posterError = h('p', { class: 'error', id: 'poster-at-error' });
    const chosen = h('p', { class: 'muted', id: 'chosen', 'aria-live': 'polite' });
    const resumeNote = h('p', { class: 'notice', id: 'resume-note', hidden: true });
    const start = h('button', { type: 'submit', class: 'primary', id: 'start-upload', disabled: true }, 'Upload');
    const error = h('div', { class: 'error', role: 'alert', id: 'upload-error' });
    const progressArea = h('section', { class: 'card', id: 'upload-progress', 'aria-labelledby': 'progress-title', hidden: true });
    const transcode = h('section', { class: 'card', id: 'transcode', 'aria-labelledby': 'transcode-title', hidden: true });
    const unfinished = h('section', { class: 'card', 'aria-labelledby': 'unfinished-title' });

    const form = h('form', { class: 'card upload-form', novalidate: true },
      zone, chosen, resumeNote,
      h('label', { for: 'title' }, 'Title'), title,
      h('label', { for: 'poster-at' }, 'Poster at (seconds)'), posterAt,
      h('p', { class: 'muted field-help', id: 'poster-at-help' },
        'Optional: where the poster frame is taken, in seconds from the start (0 to 86400). Empty: a tenth of the way in.'),
      posterError,
      error, h('div', { class: 'actions' }, start));

    replace(main, h('h1', {}, 'Upload a video'), form, progressArea, transcode, unfinished);

    input.addEventListener('change', () => { if (input.files?.[0]) choose(input.files[0]); });
    zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const dropped = event.dataTransfer?.files?.[0];
      if (dropped) choose(dropped);
    });
    form.addEventListener('submit', (event) => { event.preventDefault(); void upload(); });

    function choose(picked: File, forVideo?: string): void {
      file = picked;
      replace(error);
      chosen.textContent = `${picked.name} · ${bytes(picked.size)}${picked.type ? ` · ${picked.type}` : ''}`;
      const earlier = forVideo ? rememberedUploads().find((u) => u.videoId === forVideo) : rememberedUploads().find((u) => matches(u, picked));
      resumeId = forVideo ?? earlier?.videoId ?? null;
      if (!title.value || resumeId) title.value = earlier?.title ?? picked.name.replace(/\.[^.]+$/, '');
      title.disabled = resumeId !== null;
      // A resumed upload's video exists already, with the poster time it was created with.
      posterAt.disabled = resumeId !== null;
      resumeNote.hidden = resumeId === null;
      resumeNote.textContent = resumeId ? 'This file’s upload was interrupted: the parts storage already holds are skipped.' : '';
      start.textContent = resumeId ? 'Resume upload' : 'Upload';
      start.disabled = false;
    }

    async function upload(): Promise<void> {
      if (!file) return;
      const source = file;
      if (!resumeId && !title.value.trim()) {
        error.textContent = 'Give the video a title.';
        title.focus();
        return;
      }
      let posterAtSeconds: number | undefined;
      if (!resumeId && posterAt.value.trim()) {
        posterAtSeconds = Number(posterAt.value.trim().replace(',', '.'));
        if (!Number.isFinite(posterAtSeconds)) {
          fieldError('Give the poster time as a number of seconds, such as 42.5.');
          return;
        }
      }
      start.disabled = true;
      replace(error);
      fieldError(null);
      let videoId = resumeId;
      try {
        let upload: UploadView;
        let stored: StoredPart[];
        if (videoId) {
          const status = await api.getUpload(videoId);
          if (status.sizeBytes !== source.size) {
            throw new Error(`This video was created for ${bytes(status.sizeBytes)}; ${source.name} has ${bytes(source.size)}. Choose the same file.`);
          }
          upload = status.upload;
          stored = status.parts;
        } else {
          const created = await api.createVideo({
            title: title.value.trim(), fileName: source.name, contentType: contentTypeOf(source), sizeBytes: source.size, posterAtSeconds,
          });
          videoId = created.videoId;
          upload = created.upload;
          stored = [];
        }
        remember({ videoId, title: title.value.trim(), fileName: source.name, sizeBytes: source.size, lastModified: source.lastModified });
        progressArea.hidden = false;
        await sendSource(videoId, source, upload, stored, (progress) => showProgress(progress));
        forget(videoId);
        announce('Upload complete; transcoding');
        await follow(videoId);
      } catch (failure) {
        error.textContent = failure instanceof ApiError ? failure.message : failure instanceof Error ? failure.message : String(failure);
        // The API's own words on a refused field (400 VALIDATION_FAILED names each), beside the field.
        const refused = failure instanceof ApiError ? failure.problem.errors ?? {} : {};
        if (refused.posterAtSeconds) fieldError(refused.posterAtSeconds.join(' '));
        const others = Object.entries(refused).filter(([field]) => field !== 'posterAtSeconds').flatMap(([, messages]) => messages);
        if (others.length > 0) error.textContent += ` ${others.join(' ')}`;
        start.disabled = false;
        if (videoId && failure instanceof ApiError && (failure.status === 404 || failure.status === 409) && resumeId === videoId) {
          // Completed, expired or deleted meanwhile: this upload cannot go on, but the file can go up as a new video.
          forget(videoId);
          resumeId = null;
          title.disabled = false;
          posterAt.disabled = false;
          resumeNote.hidden = true;
          start.textContent = 'Upload as a new video';
        } else if (videoId) {
          resumeId = videoId;
          start.textContent = 'Resume upload';
        }
      }
    }

    function fieldError(message: string | null): void {
      posterError.textContent = message ?? '';
      if (message) {
        posterAt.setAttribute('aria-invalid', 'true');
        posterAt.focus();
      } else {
        posterAt.removeAttribute('aria-invalid');
      }
    }

    let lastDraw = 0;
    function showProgress(progress: UploadProgress): void {
      // Progress events come many times a second; redrawing a few times a second is enough to read.
      const now = performance.now();
      const done = progress.sentBytes >= progress.totalBytes;
      if (!done && now - lastDraw < 200) return;
      lastDraw = now;
      const multipart = progress.parts.length > 1;
      replace(progressArea,
        h('h2', { id: 'progress-title' }, 'Upload'),
        progressBar((progress.sentBytes / progress.totalBytes) * 100, 'Upload progress'),
        h('p', {}, `${bytes(progress.sentBytes)} of ${bytes(progress.totalBytes)}`, multipart ? ` in ${progress.parts.length} parts` : ''),
        multipart && h('ol', { class: 'parts', id: 'parts' }, ...progress.parts.map((part) =>
          h('li', { class: `part part-${part.state}`, 'data-part': part.partNumber, 'data-state': part.state },
            h('span', { class: 'part-name' }, `Part ${part.partNumber}`),
            h('span', { class: 'muted' }, bytes(part.sizeBytes)),
            progressBar((part.sentBytes / part.sizeBytes) * 100, `Part ${part.partNumber}`),
            h('span', { class: 'part-state' }, partLabel(part.state)),
            part.error && h('span', { class: 'error' }, part.error)))));
    }

    async function follow(videoId: string): Promise<void> {
      transcode.hidden = false;
      while (!signal.aborted) {
        const video = await api.getVideo(videoId, signal);
        const job = video.job;
        replace(transcode,
          h('h2', { id: 'transcode-title' }, 'Transcoding'),
          h('p', {}, statusChip(video.status), ' ', h('a', { href: `/admin/videos/${videoId}`, id: 'open-video' }, video.title)),
          progressBar(video.progressPercent, 'Transcode progress'),
          job && h('p', { class: 'muted' }, `Job ${job.state.replace(/_/g, ' ')} · attempt ${job.attemptCount} of ${job.maxAttempts}`),
          video.status === 'FAILED' && h('p', { class: 'error' }, h('code', {}, job?.errorCode ?? ''), ' ', job?.errorMessage ?? ''));
        if (video.status === 'READY' || video.status === 'FAILED') {
          announce(`${video.title} is ${video.status}`);
          return;
        }
        await sleep(1500, signal);
      }
    }

    async function listUnfinished(): Promise<void> {
      let items: VideoSummary[] = [];
      try {
        items = (await api.listVideos({ status: 'PENDING_UPLOAD', limit: 20 }, signal)).items;
      } catch (failure) {
        if (!signal.aborted) replace(unfinished, h('p', { class: 'error' }, String(failure)));
        return;
      }
      replace(unfinished,
        h('h2', { id: 'unfinished-title' }, 'Unfinished uploads'),
        items.length === 0
          ? h('p', { class: 'muted' }, 'None: every video created has its source.')
          : h('ul', { class: 'unfinished', id: 'unfinished' }, ...items.map((video) => {
            const picker = h('input', { type: 'file', class: 'file-input', id: `resume-${video.videoId}`, accept: 'video/*,.mkv,.mov,.mp4,.webm' });
            picker.addEventListener('change', () => {
              if (!picker.files?.[0]) return;
              choose(picker.files[0], video.videoId);
              title.value = video.title;
              start.focus();
            });
            return h('li', { 'data-video-id': video.videoId },
              h('a', { href: `/admin/videos/${video.videoId}` }, video.title), ' · created ', time(video.createdAt), ' ',
              h('label', { for: `resume-${video.videoId}`, class: 'button' }, 'Resume: choose its file'), picker);
          })));
    }

    await Promise.all([listUnfinished(), noteInterrupted()]);

    /** The newest upload this browser started and did not finish, if the API still waits for its source. */
    async function noteInterrupted(): Promise<void> {
      const interrupted = rememberedUploads()[0];
      if (!interrupted) return;
      try {
        if ((await api.getVideo(interrupted.videoId, signal)).status !== 'PENDING_UPLOAD') {
          forget(interrupted.videoId);
          return;
        }
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 404) forget(interrupted.videoId);
        return;
      }
      if (file) return;
      resumeNote.hidden = false;
      resumeNote.textContent = `The upload of ${interrupted.fileName} (“${interrupted.title}”) did not finish. Choose the same file to resume it.`;
    }
  },
};

function partLabel(state: string): string {
  return { waiting: 'waiting', sending: 'sending', stored: 'stored', held: 'already stored', failed: 'failed' }[state] ?? state;
}

/** The API takes video/* or application/octet-stream; browsers know no type for some containers (.mkv). */
function contentTypeOf(file: File): string {
  return file.type.startsWith('video/') ? file.type : 'application/octet-stream';
}

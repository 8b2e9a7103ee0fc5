// Sends a source to the upload URLs the API handed out: one PUT, or numbered parts (three at a time,
// each retried on a network error or a 5xx) that skip what storage already holds, so an upload cut
// off by a dropped connection or a reload resumes where it stopped. Then upload-complete.
import { api, type StoredPart, type UploadView } from './api';

export type PartState = 'waiting' | 'sending' | 'stored' | 'held' | 'failed';

export interface PartProgress {
  partNumber: number;
  sizeBytes: number;
  sentBytes: number;
  state: PartState;
  error?: string;
}

export interface UploadProgress {
  totalBytes: number;
  sentBytes: number;
  parts: PartProgress[];
}

const concurrency = 3;
const triesPerPart = 3;

/** Remembered unfinished uploads, by video id: the file's name, size and modification time identify it after a reload. */
export interface RememberedUpload {
  videoId: string;
  title: string;
  fileName: string;
  sizeBytes: number;
  lastModified: number;
}

const rememberKey = 'academy-video-console.uploads';

export function rememberedUploads(): RememberedUpload[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(rememberKey) ?? '[]') as RememberedUpload[];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

export function remember(upload: RememberedUpload): void {
  localStorage.setItem(rememberKey, JSON.stringify([upload, ...rememberedUploads().filter((u) => u.videoId !== upload.videoId)].slice(0, 20)));
}

export function forget(videoId: string): void {
  localStorage.setItem(rememberKey, JSON.stringify(rememberedUploads().filter((u) => u.videoId !== videoId)));
}

export function matches(upload: RememberedUpload, file: File): boolean {
  return upload.fileName === file.name && upload.sizeBytes === file.size && upload.lastModified === file.lastModified;
}

export async function sendSource(
  videoId: string,
  file: File,
  upload: UploadView,
  stored: StoredPart[],
  onProgress: (progress: UploadProgress) => void,
): Promise<void> {
  if (!upload.multipart) {
    const progress: UploadProgress = {
      totalBytes: file.size, sentBytes: 0,
      parts: [{ partNumber: 1, sizeBytes: file.size, sentBytes: 0, state: 'sending' }],
    };
    await withRetries(() => put(upload.url!, file, upload.headers, (sent) => {
      progress.sentBytes = progress.parts[0].sentBytes = sent;
      onProgress(progress);
    }));
    progress.parts[0].state = 'stored';
    progress.sentBytes = file.size;
    onProgress(progress);
    await api.completeUpload(videoId);
    return;
  }

  const { partSizeBytes, parts } = upload.multipart;
  const held = new Map(stored.map((part) => [part.partNumber, part]));
  const progress: UploadProgress = {
    totalBytes: file.size,
    sentBytes: 0,
    parts: parts.map((target) => {
      const already = held.get(target.partNumber);
      const isHeld = already !== undefined && already.sizeBytes === target.sizeBytes;
      return { partNumber: target.partNumber, sizeBytes: target.sizeBytes, sentBytes: isHeld ? target.sizeBytes : 0, state: isHeld ? 'held' : 'waiting' };
    }),
  };
  const etags = new Map<number, string | null>([...held].map(([number, part]) => [number, part.etag]));
  const total = () => progress.parts.reduce((sum, part) => sum + part.sentBytes, 0);
  progress.sentBytes = total();
  onProgress(progress);

  const queue = parts.filter((target) => progress.parts[target.partNumber - 1].state === 'waiting');
  const worker = async () => {
    for (let target = queue.shift(); target; target = queue.shift()) {
      const part = progress.parts[target.partNumber - 1];
      const start = (target.partNumber - 1) * partSizeBytes;
      part.state = 'sending';
      try {
        const etag = await withRetries(() => put(target.url, file.slice(start, start + target.sizeBytes), {}, (sent) => {
          part.sentBytes = sent;
          progress.sentBytes = total();
          onProgress(progress);
        }));
        etags.set(target.partNumber, etag);
        part.state = 'stored';
        part.sentBytes = part.sizeBytes;
      } catch (error) {
        part.state = 'failed';
        part.error = String(error instanceof Error ? error.message : error);
        part.sentBytes = 0;
        onProgress(progress);
        throw error;
      }
      progress.sentBytes = total();
      onProgress(progress);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));

  // With every ETag known, storage joins exactly these parts; where a cross-origin bucket hides the ETag
  // header (its CORS rules do not expose it), the API lists the parts itself.
  const list = parts.map((target) => ({ partNumber: target.partNumber, etag: etags.get(target.partNumber) ?? '' }));
  await api.completeUpload(videoId, list.every((part) => part.etag) ? list : undefined);
}

async function withRetries<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= triesPerPart || !(error instanceof RetryableError)) throw error;
      await new Promise((resolve) => window.setTimeout(resolve, 1000 * attempt));
    }
  }
}

class RetryableError extends Error {}

/** XMLHttpRequest, not fetch: only it reports upload progress. Resolves with the ETag storage answered. */
function put(url: string, body: Blob, headers: Record<string, string>, onSent: (bytes: number) => void): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) {
      // The browser sets Content-Length itself and refuses to be told.
      if (name.toLowerCase() !== 'content-length') request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) => onSent(event.loaded);
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        resolve(request.getResponseHeader('ETag'));
        return;
      }
      const message = describeFailure(request);
      reject(request.status >= 500 ? new RetryableError(message) : new Error(message));
    };
    request.onerror = () => reject(new RetryableError('the connection to storage failed'));
    request.send(body);
  });
}

function describeFailure(request: XMLHttpRequest): string {
  try {
    const problem = JSON.parse(request.responseText) as { code?: string; detail?: string };
    if (problem.code) return `${problem.code}: ${problem.detail ?? ''} (HTTP ${request.status})`;
  } catch {
    // Not problem+json: S3 and R2 answer XML.
  }
  return `HTTP ${request.status} from storage`;
}

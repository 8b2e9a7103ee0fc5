// The API as the console uses it: JSON in and out, the key in its header, and every error answer
// (application/problem+json with a stable `code`) turned into an ApiError that pages show as it is.
import { clearSession, currentSession } from './session';

export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: Record<string, string[]>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail ?? problem.title ?? `HTTP ${problem.status}`}`);
  }

  get status(): number { return this.problem.status; }
  get code(): string { return this.problem.code; }
}

export interface VideoSummary {
  videoId: string;
  title: string;
  status: string;
  currentJobId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface VideoListPage {
  items: VideoSummary[];
  nextCursor: string | null;
}

export interface JobView {
  jobId: string;
  state: string;
  attemptCount: number;
  maxAttempts: number;
  progressPercent: number;
  batchJobId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  lastHeartbeatAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The top rendition's decision on the latest attempt: SOURCE_COPY (copied from the source) or the code of why it was encoded. */
  topRungCode?: string | null;
  topRungReason?: string | null;
  /** The first loudness pass's figures (docs/encoding.md, Loudness); null before the probe and on jobs made before it. */
  loudness?: LoudnessView | null;
  /** The slides-or-camera decision with its figures (docs/encoding.md, Slides profile); null before the probe and on older jobs. */
  profile?: ProfileView | null;
}

export interface ProfileView {
  /** slides, camera or disabled. */
  kind: string;
  stillShare: number | null;
  motion: number | null;
  analyzedSeconds: number | null;
}

export interface LoudnessView {
  /** normalized, silent, no_audio or disabled. */
  status: string;
  inputIntegratedLufs: number | null;
  inputTruePeakDbtp: number | null;
  inputLoudnessRangeLu: number | null;
  inputThresholdLufs: number | null;
  targetOffsetLu: number | null;
}

export interface AttemptView {
  attempt: number;
  startedAt: string;
  endedAt: string | null;
  outcome: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  batchJobId: string | null;
}

export interface VideoDetails {
  videoId: string;
  title: string;
  status: string;
  sourceSizeBytes: number | null;
  hlsPath: string | null;
  playbackUrl: string | null;
  /** True once the running attempt published enough to play (before READY), and from then on. */
  playable?: boolean;
  progressPercent: number;
  job: JobView | null;
  attempts: AttemptView[];
  createdAt: string;
  updatedAt: string;
  /** Null until READY (and for videos published before posters); signed and expiring in Playback:Mode=Signed. */
  posterUrl: string | null;
  /** The WebVTT index of the thumbnail sprite; null as posterUrl is. */
  storyboardUrl: string | null;
  posterAtSeconds: number | null;
  /** The chapters found at the slide changes or set by a person; empty when none (docs/api.md, Chapters). */
  chapters?: ChapterView[];
  /** The WebVTT chapters track; null without chapters. */
  chaptersUrl?: string | null;
  /** The worker's probe of the source; null until a worker has probed it. */
  source: SourceView | null;
}

export interface ChapterView {
  start: number;
  end: number;
  title: string;
  /** Null for a chapter a person added. */
  thumbnailUrl: string | null;
  named: boolean;
}

export interface SourceView {
  durationSeconds: number;
  /** As stored; rotationDegrees says how a player turns it. */
  width: number;
  height: number;
  rotationDegrees: number;
  videoCodec: string;
  /** Null when the source has no audio. */
  audioCodec: string | null;
  framesPerSecond: number;
  /** The file's, null when the container does not say. */
  bitrateKbps: number | null;
}

/** One job of GET /videos/{id}/jobs: a retry adds a job, the video view shows only the current one. */
export interface JobHistoryView {
  jobId: string;
  state: string;
  attemptCount: number;
  maxAttempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  topRungCode: string | null;
  topRungReason: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  attempts: AttemptView[];
}

export interface VideoJobs {
  videoId: string;
  currentJobId: string | null;
  /** Newest first. */
  jobs: JobHistoryView[];
}

export interface PartTarget {
  partNumber: number;
  sizeBytes: number;
  url: string;
}

export interface UploadView {
  url: string | null;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
  multipart: { uploadId: string; partSizeBytes: number; partCount: number; parts: PartTarget[] } | null;
}

export interface CreatedVideo {
  videoId: string;
  status: string;
  upload: UploadView;
}

export interface StoredPart {
  partNumber: number;
  sizeBytes: number;
  etag: string;
}

export interface UploadStatus {
  videoId: string;
  status: string;
  sizeBytes: number;
  storedBytes: number;
  expiresAt: string;
  parts: StoredPart[];
  missingPartNumbers: number[];
  upload: UploadView;
}

export interface Playback {
  url: string;
  expiresAt: string | null;
  /** Signed and expiring with the grant in Signed mode, like url. */
  posterUrl?: string | null;
  storyboardUrl?: string | null;
}

export interface Backlog {
  countsByState: Record<string, number>;
  oldestQueuedSeconds: number | null;
  oldestRetryWaitSeconds: number | null;
  oldestRunningHeartbeatSeconds: number | null;
  at: string;
}

export interface CheckResult {
  name: string;
  status: 'OK' | 'FAIL' | 'SKIP';
  detail: string;
  hints: string[];
}

export interface HealthReport {
  command: string;
  mode: string;
  at: string;
  checks: CheckResult[];
  systemStatus: string;
  rootCauseHints: string[];
}

export interface ScanReport {
  dryRun: boolean;
  at: string;
  entries: { jobId: string; state: string; attempt: number; reason: string; result: string }[];
}

export interface AttemptLog {
  attempt: number;
  runnerJobId: string;
  location: string;
  text: string | null;
  consoleUrl: string | null;
}

export interface CaptionTrack {
  language: string;
  label: string;
  kind: string;
  url: string;
  sizeBytes: number;
  cueCount: number;
  updatedAt: string;
}

/** One moment of GET /api/v1/search: where a video's captions say the words asked for. */
export interface SearchMoment {
  startSeconds: number;
  endSeconds: number;
  text: string;
  language: string;
  playerUrl?: string | null;
}

export interface SearchHit {
  videoId: string;
  title: string;
  moments: SearchMoment[];
}

export interface SearchPage {
  items: SearchHit[];
  nextCursor: string | null;
}

interface CallOptions {
  method?: string;
  /** JSON, or a FormData sent as multipart/form-data (the browser writes its Content-Type and boundary). */
  body?: unknown;
  /** Operator endpoints take the key in X-Internal-Api-Key. */
  internal?: boolean;
  /** The key to try instead of the session's (sign-in). */
  key?: string;
  signal?: AbortSignal;
}

/** Called when the API refuses the session's key on a client endpoint: the console signs out. */
let onRefused: (problem: Problem) => void = () => {};

export function whenKeyRefused(handler: (problem: Problem) => void): void {
  onRefused = handler;
}

export async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const key = options.key ?? currentSession()?.key;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key) headers[options.internal ? 'X-Internal-Api-Key' : 'X-Api-Key'] = key;
  const form = options.body instanceof FormData;
  if (options.body !== undefined && !form) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : form ? options.body as FormData : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', detail: `The API could not be reached (${String(error)}).` });
  }

  if (!response.ok) {
    const problem = await readProblem(response);
    if (problem.status === 401 && !options.internal && options.key === undefined) {
      clearSession();
      onRefused(problem);
    }
    throw new ApiError(problem);
  }

  if (response.status === 204) return undefined as T;
  return await response.json() as T;
}

export async function readProblem(response: Response): Promise<Problem> {
  try {
    const body = await response.json() as Partial<Problem>;
    return { ...body, status: response.status, code: body.code ?? `HTTP_${response.status}` };
  } catch {
    return { status: response.status, code: `HTTP_${response.status}`, detail: response.statusText };
  }
}

const videos = '/api/v1/videos';
const internal = '/api/v1/internal/video';

export const api = {
  listVideos: (query: { status?: string; q?: string; cursor?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (query.status) params.set('status', query.status);
    if (query.q) params.set('q', query.q);
    if (query.cursor) params.set('cursor', query.cursor);
    params.set('limit', String(query.limit ?? 20));
    return call<VideoListPage>(`${videos}?${params}`, { signal });
  },
  getVideo: (id: string, signal?: AbortSignal) => call<VideoDetails>(`${videos}/${encodeURIComponent(id)}`, { signal }),
  videoJobs: (id: string, signal?: AbortSignal) => call<VideoJobs>(`${videos}/${encodeURIComponent(id)}/jobs`, { signal }),
  createVideo: (body: { title: string; fileName: string; contentType: string; sizeBytes: number; posterAtSeconds?: number }) =>
    call<CreatedVideo>(videos, { method: 'POST', body }),
  getUpload: (id: string) => call<UploadStatus>(`${videos}/${encodeURIComponent(id)}/upload`),
  completeUpload: (id: string, parts?: { partNumber: number; etag: string }[]) =>
    call<JobView>(`${videos}/${encodeURIComponent(id)}/upload-complete`, { method: 'POST', body: parts ? { parts } : undefined }),
  retry: (id: string) => call<JobView>(`${videos}/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  deleteVideo: (id: string) => call<unknown>(`${videos}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  playback: (id: string, signal?: AbortSignal) => call<Playback>(`${videos}/${encodeURIComponent(id)}/playback`, { signal }),
  captions: (id: string, signal?: AbortSignal) => call<{ items: CaptionTrack[] }>(`${videos}/${encodeURIComponent(id)}/captions`, { signal }),
  addCaption: (id: string, form: FormData) => call<CaptionTrack>(`${videos}/${encodeURIComponent(id)}/captions`, { method: 'POST', body: form }),
  deleteCaption: (id: string, language: string, kind: string) =>
    call<unknown>(`${videos}/${encodeURIComponent(id)}/captions/${encodeURIComponent(language)}/${encodeURIComponent(kind)}`, { method: 'DELETE' }),
  search: (query: { q: string; cursor?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams({ q: query.q, limit: String(query.limit ?? 20) });
    if (query.cursor) params.set('cursor', query.cursor);
    return call<unknown>(`/api/v1/search?${params}`, { signal }).then(searchPage);
  },
  backlog: (signal?: AbortSignal) => call<Backlog>(`${internal}/backlog`, { internal: true, signal }),
  healthSummary: (signal?: AbortSignal) => call<HealthReport>(`${internal}/health-summary`, { internal: true, signal }),
  scan: (dryRun: boolean) => call<ScanReport>(`${internal}/scan-stuck-jobs?dryRun=${dryRun}`, { method: 'POST', internal: true }),
  attemptLog: (jobId: string, attempt: number) =>
    call<AttemptLog>(`${internal}/jobs/${encodeURIComponent(jobId)}/attempts/${attempt}/log`, { internal: true }),
};

/**
 * GET /api/v1/search's answer, checked field by field: a hit without an id, or a moment without finite times, is
 * left out rather than drawn as a broken link.
 */
export function searchPage(body: unknown): SearchPage {
  const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? value as Record<string, unknown> : {});
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const page = record(body);
  const items = Array.isArray(page.items) ? page.items : [];
  return {
    items: items.map(record).filter((hit) => text(hit.videoId).length > 0).map((hit) => ({
      videoId: text(hit.videoId),
      title: text(hit.title) || text(hit.videoId),
      moments: (Array.isArray(hit.moments) ? hit.moments : []).map(record)
        .filter((m) => Number.isFinite(m.startSeconds) && (m.startSeconds as number) >= 0)
        .map((m) => ({
          startSeconds: m.startSeconds as number,
          endSeconds: Number.isFinite(m.endSeconds) ? m.endSeconds as number : m.startSeconds as number,
          text: text(m.text),
          language: text(m.language),
          playerUrl: text(m.playerUrl) || null,
        })),
    })),
    nextCursor: typeof page.nextCursor === 'string' && page.nextCursor.length > 0 ? page.nextCursor : null,
  };
}

// Webhook deliveries with replay: GET /api/v1/internal/webhooks/deliveries, newest first, and
// POST …/deliveries/{id}/replay, which delivers the same event (same id, same bytes) once more. The section
// stays hidden where the API has no webhooks (404/405), so the console works against an older API too.
import { ApiError, call } from './api';
import { h, replace, time } from './dom';

interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  statusCode: number | null;
  durationMs: number | null;
  error: string | null;
}

interface Delivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  url: string;
  state: string;
  attemptCount: number;
  lastAttempt: DeliveryAttempt | null;
  createdAt: string;
}

const deliveries = '/api/v1/internal/webhooks/deliveries';

export async function webhookSection(signal: AbortSignal): Promise<HTMLElement | null> {
  let items: Delivery[];
  try {
    const page = await call<{ items: Delivery[] }>(`${deliveries}?limit=20`, { internal: true, signal });
    items = page.items ?? [];
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
    throw error;
  }

  const section = h('section', { class: 'card', 'aria-labelledby': 'webhooks-title' });
  const draw = () => replace(section,
    h('h2', { id: 'webhooks-title' }, 'Webhook deliveries'),
    items.length === 0 ? h('p', { class: 'muted' }, 'No deliveries yet.') : h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ...['Event', 'Target', 'Status', 'Answer', 'When', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...items.map((d) => h('tr', {},
        h('td', { 'data-label': 'Event' }, d.eventType, h('br', {}), h('code', {}, d.eventId)),
        h('td', { 'data-label': 'Target' }, d.url),
        h('td', { 'data-label': 'Status' }, `${d.state} (${d.attemptCount} ${d.attemptCount === 1 ? 'attempt' : 'attempts'})`),
        h('td', { 'data-label': 'Answer' }, answer(d.lastAttempt)),
        h('td', { 'data-label': 'When' }, time(d.lastAttempt?.startedAt ?? d.createdAt)),
        h('td', {}, h('button', {
          type: 'button', onclick: async (event: Event) => {
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            try {
              await call(`${deliveries}/${encodeURIComponent(d.deliveryId)}/replay`, { method: 'POST', internal: true });
              button.textContent = 'Replayed';
            } catch (error) {
              button.textContent = error instanceof ApiError ? error.code : 'Failed';
              button.disabled = false;
            }
          },
        }, `Replay ${d.eventType}`))))))));
  draw();
  return section;
}

function answer(attempt: DeliveryAttempt | null): string {
  if (attempt === null) return '—';
  const result = attempt.statusCode === null ? (attempt.error ?? 'no answer') : `HTTP ${attempt.statusCode}`;
  return attempt.durationMs === null ? result : `${result} in ${attempt.durationMs} ms`;
}

// Webhook deliveries with replay (issue 12). The internal API for them is not in this build yet: the
// section asks for the list and stays hidden while the API answers 404 or 405, so it appears by itself
// once the endpoints exist. Paths and fields here are the expected contract; adjust them to the API as built.
import { ApiError, call } from './api';
import { h, replace, time } from './dom';

interface Delivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  url: string;
  status: string;
  responseStatus: number | null;
  durationMs: number | null;
  attemptedAt: string;
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
        h('td', { 'data-label': 'Status' }, d.status),
        h('td', { 'data-label': 'Answer' }, d.responseStatus === null ? '—' : `HTTP ${d.responseStatus}`, d.durationMs === null ? '' : ` in ${d.durationMs} ms`),
        h('td', { 'data-label': 'When' }, time(d.attemptedAt)),
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

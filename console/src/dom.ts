// A few DOM helpers. Every text goes in through textContent (never innerHTML): titles, error messages
// and log lines come from users and workers.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** h('button', { type: 'button', onclick: f }, 'Retry'): attributes, `on*` listeners, then children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Said by screen readers without moving focus (the page's one polite live region). */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes repeated messages be read again.
  window.setTimeout(() => { region.textContent = message; }, 50);
}

export function statusChip(status: string): HTMLElement {
  return h('span', { class: `chip chip-${status.toLowerCase().replace(/_/g, '-')}` }, status.replace(/_/g, ' '));
}

export function progressBar(percent: number, label: string): HTMLElement {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return h('span', { class: 'progress' },
    h('progress', { max: 100, value, 'aria-label': label }),
    h('span', { class: 'progress-text' }, `${value}%`));
}

export function bytes(count: number | null | undefined): string {
  if (count === null || count === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function seconds(total: number | null | undefined): string {
  if (total === null || total === undefined) return '—';
  if (total < 1) return `${Math.round(total * 1000)} ms`;
  if (total < 60) return `${total.toFixed(total < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(total % 60)} s`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A position or length in a video: 65 → "1:05", 3725 → "1:02:05"; with `hours`, always h:mm:ss ("0:01:05"). */
export function clock(total: number, hours = false): string {
  const whole = Math.max(0, Math.round(total));
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const ss = String(s).padStart(2, '0');
  return h > 0 || hours ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A <time> showing local date and time, with the exact ISO instant as its machine value. */
export function time(iso: string | null | undefined): HTMLElement | string {
  if (!iso) return '—';
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }));
}

export function between(startIso: string, endIso: string | null | undefined): string {
  if (!endIso) return '—';
  return seconds((Date.parse(endIso) - Date.parse(startIso)) / 1000);
}

/** Waits, or ends early when the page is left. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = window.setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { window.clearTimeout(timer); resolve(); }, { once: true });
  });
}

// Path routing under /admin with the History API: every page has a real URL (a reload or a shared link
// opens the same page; the API answers every /admin/* path with index.html). The key is never in a URL.

export interface PageContext {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborted when the page is left: stops its polling and requests. */
  signal: AbortSignal;
}

export interface Page {
  title: string;
  render(main: HTMLElement, context: PageContext): void | Promise<void>;
}

interface Route {
  pattern: RegExp;
  names: string[];
  page: () => Page;
}

const routes: Route[] = [];
let current: AbortController | null = null;
let afterRender: (path: string) => void = () => {};

export function route(path: string, page: () => Page): void {
  const names: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, name: string) => { names.push(name); return '([^/]+)'; })}/?$`);
  routes.push({ pattern, names, page });
}

export function onRendered(handler: (path: string) => void): void {
  afterRender = handler;
}

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render(true);
}

export async function render(moveFocus: boolean): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const path = location.pathname;
  const main = document.getElementById('main')!;
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  const page: Page = match ? match.r.page() : notFound;
  const params: Record<string, string> = {};
  match?.r.names.forEach((name, index) => { params[name] = decodeURIComponent(match.m![index + 1]); });
  document.title = `${page.title} · Academy Video console`;
  main.replaceChildren();
  afterRender(path);
  if (controller.signal.aborted) return;
  await page.render(main, { params, query: new URLSearchParams(location.search), signal: controller.signal });
  if (moveFocus && !controller.signal.aborted) {
    // Screen readers hear the new page's heading; keyboard users continue from there.
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    } else {
      main.focus();
    }
  }
}

/** Same-origin links under /admin change the page without reloading it. */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element).closest('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith('/admin')) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => void render(true));
}

const notFound: Page = {
  title: 'Not found',
  render(main) {
    const heading = document.createElement('h1');
    heading.textContent = 'Page not found';
    const back = document.createElement('a');
    back.href = '/admin/videos';
    back.textContent = 'Back to the videos';
    main.append(heading, back);
  },
};

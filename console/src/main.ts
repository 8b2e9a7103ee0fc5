// The console's shell: the header with its navigation, the routes, and sign-in gating.
import { whenKeyRefused } from './api';
import { h, replace } from './dom';
import { interceptLinks, navigate, onRendered, render, route } from './router';
import { clearSession, currentSession } from './session';
import { operationsPage } from './pages/operations';
import { searchPage } from './pages/search';
import { signInPage } from './pages/signin';
import { uploadPage } from './pages/upload';
import { videoPage } from './pages/video';
import { videosPage } from './pages/videos';

const publicPaths = ['/admin/signin'];

function header(path: string): void {
  const top = document.getElementById('top')!;
  const session = currentSession();
  const link = (href: string, label: string) =>
    h('a', { href, class: 'nav-link', 'aria-current': path === href || path.startsWith(`${href}/`) ? 'page' : null }, label);
  replace(top,
    h('a', { href: '/admin/videos', class: 'brand' }, 'Academy Video'),
    session && h('nav', { 'aria-label': 'Console' },
      h('ul', {},
        h('li', {}, link('/admin/videos', 'Videos')),
        h('li', {}, link('/admin/search', 'Search')),
        h('li', {}, link('/admin/upload', 'Upload')),
        // Operations is for internal (operator) keys only; the API refuses client keys there anyway.
        session.kind === 'internal' && h('li', {}, link('/admin/operations', 'Operations')))),
    session && h('div', { class: 'who' },
      h('span', { class: 'key-kind' }, session.kind === 'internal' ? 'Operator key' : 'Client key'),
      h('button', { type: 'button', class: 'link-button', onclick: signOut }, 'Sign out')));
}

function signOut(): void {
  clearSession();
  navigate('/admin/signin');
}

route('/admin', () => redirect('/admin/videos'));
route('/admin/signin', () => signInPage);
route('/admin/videos', () => videosPage);
route('/admin/videos/:id', () => videoPage);
route('/admin/search', () => searchPage);
route('/admin/upload', () => uploadPage);
route('/admin/operations', () => operationsPage);

function redirect(to: string) {
  return { title: 'Redirecting', render: () => navigate(to, { replace: true }) };
}

onRendered((path) => {
  header(path);
  if (!currentSession() && !publicPaths.includes(path)) {
    navigate(`/admin/signin?next=${encodeURIComponent(path + location.search)}`, { replace: true });
  }
});

whenKeyRefused((problem) => {
  navigate(`/admin/signin?refused=${encodeURIComponent(problem.code)}`, { replace: true });
});

interceptLinks();
void render(false);

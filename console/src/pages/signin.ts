// Sign in with an API key. The console asks the API what the key opens instead of guessing:
// GET /api/v1/videos (every valid key) and GET /api/v1/internal/video/backlog with the key in
// X-Internal-Api-Key (operator keys only). The second answer decides whether Operations is shown;
// it only hides pages, the API still checks the key on every request.
import { ApiError, call } from '../api';
import { h, replace } from '../dom';
import { navigate, type Page } from '../router';
import { saveSession, type KeyKind } from '../session';

export async function probeKey(key: string): Promise<KeyKind> {
  await call('/api/v1/videos?limit=1', { key });
  try {
    await call('/api/v1/internal/video/backlog', { key, internal: true });
    return 'internal';
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return 'client';
    throw error;
  }
}

export const signInPage: Page = {
  title: 'Sign in',
  render(main, { query }) {
    const error = h('div', { id: 'signin-error', class: 'error', role: 'alert' });
    const input = h('input', {
      id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false',
      required: true, minlength: 16, 'aria-describedby': 'api-key-help signin-error',
    });
    const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const refused = query.get('refused');
    if (refused) error.textContent = `The API refused the key (${refused}). Sign in again.`;

    const form = h('form', { class: 'card signin', novalidate: true },
      h('h1', {}, 'Sign in'),
      h('label', { for: 'api-key' }, 'API key'),
      input,
      h('p', { id: 'api-key-help', class: 'muted' },
        'A client key or an operator (internal) key from Auth:ApiKeys or Auth:InternalApiKeys. ' +
        'It is kept in this tab only (sessionStorage) and sent in a request header, never in a URL.'),
      error,
      button);

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key.length === 0) {
        error.textContent = 'Enter an API key.';
        input.focus();
        return;
      }
      button.disabled = true;
      replace(error);
      try {
        const kind = await probeKey(key);
        saveSession({ key, kind });
        const next = query.get('next');
        navigate(next && next.startsWith('/admin/') && !next.startsWith('/admin/signin') ? next : '/admin/videos', { replace: true });
      } catch (failure) {
        error.textContent = failure instanceof ApiError
          ? `${failure.code}: ${failure.problem.detail ?? failure.problem.title ?? 'the key was refused'}`
          : String(failure);
        button.disabled = false;
        input.focus();
      }
    });

    replace(main, form);
    input.focus();
  },
};

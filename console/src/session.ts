// The signed-in key lives in sessionStorage: it survives a reload of this tab, is gone when the tab
// closes, is never sent to another tab, and never appears in a URL.

export type KeyKind = 'client' | 'internal';

export interface Session {
  key: string;
  kind: KeyKind;
}

const storageKey = 'academy-video-console.session';

export function currentSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(storageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    return typeof parsed.key === 'string' && (parsed.kind === 'client' || parsed.kind === 'internal')
      ? { key: parsed.key, kind: parsed.kind }
      : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(storageKey, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(storageKey);
}

export function isInternal(): boolean {
  return currentSession()?.kind === 'internal';
}

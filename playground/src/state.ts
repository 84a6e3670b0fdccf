/**
 * The view's state in the URL's fragment, so that a link reproduces it:
 *   #m=<model, UTF-8 in base64url>&of=L&wrt=W1,b1&tab=ts&theme=dark&sizes=n%3D4&seed=2&data=<base64url>
 * Only what differs from the defaults is written.
 */
export interface ViewState {
  model: string;
  /** The definition differentiated; default the model's last. */
  of?: string;
  /** The variables ticked; default every variable the output depends on. */
  wrt?: string[];
  tab: string;
  theme?: 'light' | 'dark';
  sizes: string;
  seed: number;
  /** Data the user typed or pasted (not regenerated when the model changes). */
  data?: string;
}

const toB64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const fromB64 = (b64: string): string => {
  const bin = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};

export function encodeState(s: ViewState): string {
  const q = new URLSearchParams();
  q.set('m', toB64(s.model));
  if (s.of) q.set('of', s.of);
  if (s.wrt) q.set('wrt', s.wrt.join(','));
  if (s.tab !== 'graph') q.set('tab', s.tab);
  if (s.theme) q.set('theme', s.theme);
  if (s.sizes) q.set('sizes', s.sizes);
  if (s.seed !== 1) q.set('seed', String(s.seed));
  if (s.data !== undefined) q.set('data', toB64(s.data));
  return '#' + q.toString();
}

/** The state of a fragment; undefined for an empty or unreadable one. */
export function decodeState(hash: string): Partial<ViewState> | undefined {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const m = q.get('m');
  if (m === null) return undefined;
  try {
    const theme = q.get('theme');
    const wrt = q.get('wrt');
    const data = q.get('data');
    return {
      model: fromB64(m),
      of: q.get('of') ?? undefined,
      wrt: wrt === null ? undefined : wrt.split(',').filter(Boolean),
      tab: q.get('tab') ?? 'graph',
      theme: theme === 'dark' || theme === 'light' ? theme : undefined,
      sizes: q.get('sizes') ?? '',
      seed: Number(q.get('seed') ?? 1) || 1,
      data: data === null ? undefined : fromB64(data),
    };
  } catch {
    return undefined;
  }
}

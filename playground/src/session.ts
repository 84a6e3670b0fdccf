/**
 * The page's state: the view state the URL keeps (the model, the chosen output and
 * variables, the tab, the theme, the data), the current analysis and its generation, and
 * the later stages of an analysis, each dropped when a newer one has started.
 */
import type { Analysis } from './analyse.js';
import { EXAMPLES, DEFAULT_EXAMPLE } from './examples.js';
import { type ViewState, decodeState, encodeState } from './state.js';
import { $, flash } from './dom.js';

const initial = decodeState(location.hash);
const fallback = EXAMPLES.find((e) => e.id === DEFAULT_EXAMPLE) ?? EXAMPLES[0]!;
export const state: ViewState = {
  model: initial?.model ?? fallback.source,
  of: initial?.of,
  wrt: initial?.wrt,
  tab: initial?.tab ?? 'graph',
  theme: initial?.theme,
  sizes: initial?.sizes ?? '',
  seed: initial?.seed ?? 1,
  data: initial?.data ?? (initial ? undefined : fallback.data),
};

export const session: {
  /** The analysis of the model as it stands. */
  current: Analysis;
  /** Bumped by every analysis; later stages of an older one stop. */
  generation: number;
} = { current: { problems: [], variables: [], definitions: [] }, generation: 0 };

export function saveUrl(): void {
  history.replaceState(null, '', encodeState(state));
}

/** Runs `f` in a later task unless a newer analysis has started by then. */
export function later(gen: number, f: () => void | Promise<void>): void {
  // After the next frame, so that the gradients are painted before the slower stages run.
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (gen === session.generation) void f();
    }, 0),
  );
}

/** The ticked variables: as chosen, else every variable the output depends on. */
export function wrtNames(a: Analysis): string[] {
  const declared = a.variables.map((v) => v.name);
  return state.wrt
    ? state.wrt.filter((n) => declared.includes(n))
    : a.variables.filter((v) => v.used).map((v) => v.name);
}

/** The Share button: the URL, saved and copied. */
export function initShare(): void {
  $('share').addEventListener('click', () => {
    saveUrl();
    void navigator.clipboard?.writeText(location.href).then(
      () => flash($<HTMLButtonElement>('share'), 'Link copied'),
      () => flash($<HTMLButtonElement>('share'), 'Copy failed'),
    );
  });
}

/** Small DOM helpers shared by the playground's panes. */
import { problem } from './analyse.js';

/** The element with id `id` (the page's ids are fixed in index.html). */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** A quiet paragraph: a fact about the model, not an error in it. */
export function note(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = text;
  return p;
}

/** An error, as matdiff's command line would print it. */
export function errorBlock(e: unknown): HTMLElement {
  const pre = document.createElement('pre');
  pre.className = 'error';
  pre.textContent = problem(e).text;
  return pre;
}

/** Shows `text` on a button for a moment (Copied, Copy failed…). */
export function flash(b: HTMLButtonElement, text: string): void {
  const old = b.textContent;
  b.textContent = text;
  setTimeout(() => (b.textContent = old), 1200);
}

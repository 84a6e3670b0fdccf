/** The light and dark themes: the user's choice (kept in the URL), else the system's. */
import { $ } from './dom.js';
import { saveUrl, state } from './session.js';

export function applyTheme(): void {
  const dark = state.theme ? state.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  const b = $('theme');
  b.setAttribute('aria-pressed', String(dark));
  b.textContent = dark ? 'Light theme' : 'Dark theme';
}

/** The theme button; `onChange` redraws what depends on the colours. */
export function initTheme(onChange: () => void): void {
  $('theme').addEventListener('click', () => {
    state.theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    applyTheme();
    saveUrl();
    onChange();
  });
}

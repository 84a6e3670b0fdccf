/**
 * The derivative panes: the gradients (the first stage, drawn as the user types), the
 * Hessians or Jacobians (a later stage), each line typeset with KaTeX beside its
 * Unicode, ASCII and LaTeX copy buttons.
 */
import katex from 'katex';
import { type Analysis, type Printed, derivatives, operatorForm, problem, variable } from './analyse.js';
import { isColumn, isScalar } from '../../src/shape/shape.js';
import { $, errorBlock, flash, note } from './dom.js';
import { session, wrtNames } from './session.js';

export function renderGradients(a: Analysis): void {
  const box = $('gradients');
  if (!a.model || !a.output) {
    if (a.model) box.replaceChildren(note('The model defines nothing to differentiate.'));
    return;
  }
  const out = a.output;
  if (!isScalar(out.node.shape)) {
    box.replaceChildren(note(`${out.name} is not a scalar: it has a Jacobian (below), not a gradient.`));
    return;
  }
  const wrt = wrtNames(a).map((n) => variable(a.model!, n)!);
  if (wrt.length === 0) {
    box.replaceChildren(note('Tick a variable above to see its gradient.'));
    return;
  }
  box.replaceChildren(printed(() => derivatives(a.model!, out, wrt, 'grad')));
}

export function renderSecond(): void {
  const a = session.current;
  const box = $('second');
  if (!a.model) return;
  if (!a.output) {
    box.replaceChildren();
    return;
  }
  const out = a.output;
  const kind = isScalar(out.node.shape) ? 'hess' : 'jac';
  $('second-heading').textContent = kind === 'hess' ? 'Hessians' : 'Jacobians';
  const wrt = wrtNames(a).map((n) => variable(a.model!, n)!);
  box.replaceChildren(
    ...wrt.flatMap((w) => {
      const lhs = `${kind === 'hess' ? '∂²' : '∂'}${out.name}/∂${w.name}${kind === 'hess' ? '²' : ''}`;
      const shown = [printed(() => derivatives(a.model!, out, [w], kind), lhs)];
      // By a matrix, also the operator form, which needs no Kronecker product.
      if (!isColumn(w.node.shape)) shown.push(printed(() => operatorForm(a.model!, out, w, kind), `${lhs}[V]`));
      return shown;
    }),
  );
  if (!wrt.length) box.replaceChildren(note('Tick a variable above.'));
}

/** A derivative's lines, rendered with KaTeX, each with its copy buttons; or its error. */
function printed(make: () => Printed, quietAs?: string): HTMLElement {
  const div = document.createElement('div');
  div.className = 'derivative';
  let p: Printed;
  try {
    p = make();
  } catch (e) {
    // A second derivative that does not exist is a fact about the model, not a mistake in it.
    if (quietAs) div.append(note(`${quietAs}: ${problem(e).message}`));
    else div.append(errorBlock(e));
    return div;
  }
  for (const line of p.lines) {
    const row = document.createElement('div');
    row.className = line.where ? 'line where' : 'line';
    row.dataset.unicode = line.unicode.trim();
    const math = document.createElement('div');
    math.className = 'math';
    const latex = line.where
      ? `\\quad\\text{where } ${line.latex.replace(/^\s*(\\text\{where \}|where\s+)/, '')}`
      : line.latex;
    math.innerHTML = typeset(latex);
    const text = document.createElement('code');
    text.className = 'unicode';
    text.textContent = line.unicode.trim();
    const buttons = document.createElement('div');
    buttons.className = 'copy';
    for (const [label, value] of [
      ['Unicode', line.unicode.trim()],
      ['ASCII', line.ascii.trim()],
      ['LaTeX', line.latex.trim()],
    ] as const)
      buttons.append(copyButton(label, value, line.unicode.trim()));
    row.append(math, buttons, text);
    div.append(row);
  }
  return div;
}

/** KaTeX's HTML for a formula, remembered: typing that leaves a line unchanged does not typeset it again. */
const typeset = (() => {
  const cache = new Map<string, string>();
  return (latex: string): string => {
    let html = cache.get(latex);
    if (html === undefined) {
      html = katex.renderToString(latex, { throwOnError: false, displayMode: false, strict: 'ignore' });
      if (cache.size > 500) cache.clear();
      cache.set(latex, html);
    }
    return html;
  };
})();

function copyButton(label: string, value: string, what: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.setAttribute('aria-label', `Copy ${label}: ${what}`);
  b.addEventListener('click', () => {
    void navigator.clipboard?.writeText(value).then(
      () => flash(b, 'Copied'),
      () => flash(b, 'Copy failed'),
    );
  });
  return b;
}

/**
 * The panes that list what the model is: its problems (also shown in the editor), the
 * output and variable choices, the shapes of every name, and the results of its `assert`
 * lines.
 */
import type { EditorView } from '@codemirror/view';
import type { Diagnostic } from '@codemirror/lint';
import { showDiagnostics } from './editor.js';
import { type Analysis, checks, problem } from './analyse.js';
import { $, note } from './dom.js';
import { session, state, wrtNames } from './session.js';

export function renderProblems(view: EditorView, a: Analysis): void {
  const box = $('problems');
  box.replaceChildren(
    ...a.problems.map((p) => {
      const pre = document.createElement('pre');
      pre.className = 'error';
      pre.textContent = p.text;
      return pre;
    }),
  );
  const diags: Diagnostic[] = a.problems.map((p) => ({
    from: Math.min(p.from, view.state.doc.length),
    to: Math.min(Math.max(p.to, p.from + 1), view.state.doc.length),
    severity: 'error',
    message: p.message,
  }));
  showDiagnostics(view, diags);
}

/** The output menu and the variables' check boxes; `onChange` runs when a box is ticked. */
export function renderOptions(a: Analysis, onChange: () => void): void {
  if (!a.model) return;
  const of = $<HTMLSelectElement>('of');
  of.replaceChildren(
    ...a.definitions.map((d) => {
      const o = document.createElement('option');
      o.value = o.textContent = d.name;
      o.selected = d.name === a.output?.name;
      return o;
    }),
  );
  const chosen = wrtNames(a);
  $('wrt').replaceChildren(
    ...a.variables.map((v) => {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = v.name;
      box.checked = chosen.includes(v.name);
      box.addEventListener('change', () => {
        state.wrt = [...document.querySelectorAll<HTMLInputElement>('#wrt input:checked')].map((i) => i.value);
        onChange();
      });
      label.append(box, ` ${v.name}`);
      label.title = `${v.name}: ${v.shape}${v.props ? ' ' + v.props : ''}`;
      return label;
    }),
  );
}

export function renderShapes(a: Analysis): void {
  const rows = [
    ...a.variables.map((v) => [v.name, v.shape + (v.props ? ' ' + v.props : ''), 'variable']),
    ...a.definitions.map((d) => [d.name, d.shape, d.name === a.output?.name ? 'output' : 'definition']),
  ];
  const table = $('shapes');
  if (!a.model) return; // keep the last good ones while the model is broken
  table.replaceChildren(
    ...rows.map(([name, shape, kind]) => {
      const tr = document.createElement('tr');
      tr.className = kind!;
      for (const text of [name!, shape!, kind!]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

export function renderChecks(): void {
  const a = session.current;
  const box = $('checks');
  if (!a.model) return;
  if (!a.model.asserts.length) {
    box.replaceChildren(note('No assert lines (write `assert LHS = RHS` to check an identity).'));
    return;
  }
  let results;
  try {
    results = checks(a.model);
  } catch (e) {
    box.replaceChildren(note(problem(e).text));
    return;
  }
  box.replaceChildren(
    ...results.map((r) => {
      const pre = document.createElement('pre');
      pre.className = r.holds ? 'holds' : 'fails';
      pre.textContent = r.text;
      return pre;
    }),
  );
}

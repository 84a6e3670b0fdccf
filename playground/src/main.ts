/**
 * The playground page: the editor on the left, everything matdiff says about the model
 * on the right, recomputed as the user types.
 *
 * Recomputing is throttled (throttle.ts). The first stage (errors, shapes, gradients) is
 * synchronous; the rest (second derivatives, checks, graph, generated code) follows in
 * later tasks, each dropped when a newer edit has arrived (session.ts). This module wires
 * the parts together: the panes (panes.ts, derivative-panes.ts), the tabs (tabs.ts), the
 * Run panel (run-panel.ts), the theme, the examples menu and the URL.
 */
import 'katex/dist/katex.min.css';
import './style.css';
import type { EditorView } from '@codemirror/view';
import { createEditor, setText } from './editor.js';
import { analyse } from './analyse.js';
import { $ } from './dom.js';
import { initShare, later, saveUrl, session, state } from './session.js';
import { Throttle } from './throttle.js';
import { renderChecks, renderOptions, renderProblems, renderShapes } from './panes.js';
import { renderGradients, renderSecond } from './derivative-panes.js';
import { forgetGraph, initTabs, observeTabs, renderTab, selectTab } from './tabs.js';
import { initRunPanel, refreshData, resetData, showRunSettings } from './run-panel.js';
import { applyTheme, initTheme } from './theme.js';
import { initExamplesMenu, showExampleOf } from './examples-menu.js';

/** Timings for the browser test and the curious: keystroke → gradients in the DOM, and painted. */
const timings: { compute: number; painted: number; [phase: string]: number }[] = [];
const exposed = { timings, state, view: undefined as unknown };
(window as unknown as { matdiffPlayground: object }).matdiffPlayground = exposed;

initTheme(() => {
  forgetGraph(); // redraw in the theme's colours
  later(session.generation, renderTab);
});

const throttle = new Throttle(update);
const view: EditorView = createEditor({
  parent: $('editor'),
  doc: state.model,
  label: 'Model source',
  onChange(text) {
    state.model = text;
    throttle.edited();
  },
});
exposed.view = view;
view.contentDOM.addEventListener('keydown', (e) => throttle.keyDown(e.timeStamp), true);

function update(): void {
  const start = performance.now();
  const gen = ++session.generation;
  const current = (session.current = analyse(state.model, state.of));
  const analysed = performance.now();
  renderProblems(view, current);
  $('results').classList.toggle('broken', !current.model);
  renderOptions(current, update);
  renderShapes(current);
  const gradientsStart = performance.now();
  renderGradients(current);
  const since = throttle.editAt || start;
  const end = performance.now();
  const compute = end - since;
  const phases = {
    waited: start - since,
    analyse: analysed - start,
    other: gradientsStart - analysed,
    gradients: end - gradientsStart,
  };
  // After the next frame's rendering: a task queued from requestAnimationFrame runs after paint.
  requestAnimationFrame(() =>
    setTimeout(() => timings.push({ compute, painted: performance.now() - since, ...phases }), 0),
  );
  throttle.ran(start);
  saveUrl();
  refreshData();
  showExampleOf(state.model);
  later(gen, renderSecond);
  later(gen, renderChecks);
  later(gen, renderTab);
}

$('of').addEventListener('change', () => {
  state.of = $<HTMLSelectElement>('of').value;
  if (session.current.model && state.of === session.current.model.output) state.of = undefined;
  update();
});

initTabs();
initRunPanel();
initExamplesMenu((ex) => {
  Object.assign(state, { of: undefined, wrt: undefined, data: ex.data, sizes: '', seed: 1 });
  resetData();
  throttle.editAt = performance.now();
  setText(view, ex.source);
});
initShare();

applyTheme();
showRunSettings();
selectTab(state.tab);
update();
// Watched once the first results are all in place (they push the tabs down).
requestAnimationFrame(() => setTimeout(observeTabs, 0));
document.body.dataset.ready = 'true';

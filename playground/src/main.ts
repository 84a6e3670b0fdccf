/**
 * The playground page: the editor on the left, everything matdiff says about the model
 * on the right, recomputed as the user types.
 *
 * Recomputing is throttled rather than delayed: an edit made while the page is idle is
 * analysed at once; edits that follow within twice the last analysis's time wait for the
 * next one. The first stage (errors, shapes, gradients) is synchronous; the rest
 * (second derivatives, checks, graph, generated code) follows in later tasks, each
 * dropped when a newer edit has arrived.
 */
import 'katex/dist/katex.min.css';
import './style.css';
import katex from 'katex';
import type { EditorView } from '@codemirror/view';
import type { Diagnostic } from '@codemirror/lint';
import { createEditor, setText, showDiagnostics } from './editor.js';
import {
  type Analysis,
  type Printed,
  analyse,
  checks,
  derivatives,
  operatorForm,
  problem,
  variable,
} from './analyse.js';
import { EXAMPLES, DEFAULT_EXAMPLE } from './examples.js';
import { type ViewState, decodeState, encodeState } from './state.js';
import { parseSizes, randomData, sizesText } from './data.js';
import type { Model } from '../../src/model/model.js';
import { isColumn, isScalar } from '../../src/shape/shape.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ---------------------------------------------------------------------------------
// State

const initial = decodeState(location.hash);
const fallback = EXAMPLES.find((e) => e.id === DEFAULT_EXAMPLE) ?? EXAMPLES[0]!;
const state: ViewState = {
  model: initial?.model ?? fallback.source,
  of: initial?.of,
  wrt: initial?.wrt,
  tab: initial?.tab ?? 'graph',
  theme: initial?.theme,
  sizes: initial?.sizes ?? '',
  seed: initial?.seed ?? 1,
  data: initial?.data ?? (initial ? undefined : fallback.data),
};

const exampleBox = $<HTMLSelectElement>('example');
let current: Analysis = { problems: [], variables: [], definitions: [] };
/** Bumped by every analysis; later stages of an older one stop. */
let generation = 0;

/** Timings for the browser test and the curious: keystroke → gradients in the DOM, and painted. */
const timings: { compute: number; painted: number; [phase: string]: number }[] = [];
const exposed = { timings, state, view: undefined as unknown };
(window as unknown as { matdiffPlayground: object }).matdiffPlayground = exposed;

function saveUrl(): void {
  history.replaceState(null, '', encodeState(state));
}

// ---------------------------------------------------------------------------------
// Theme

function applyTheme(): void {
  const dark = state.theme ? state.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  const b = $('theme');
  b.setAttribute('aria-pressed', String(dark));
  b.textContent = dark ? 'Light theme' : 'Dark theme';
}

$('theme').addEventListener('click', () => {
  state.theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  applyTheme();
  saveUrl();
  graphText = ''; // redraw in the theme's colours
  later(generation, renderTab);
});

// ---------------------------------------------------------------------------------
// Editor and throttled analysis

let keyAt = 0;
let editAt = 0;
let timer: number | undefined;
let lastDuration = 0;
let lastEnd = 0;

const view: EditorView = createEditor({
  parent: $('editor'),
  doc: state.model,
  label: 'Model source',
  onChange(text) {
    state.model = text;
    const now = performance.now();
    editAt = now - keyAt < 100 ? keyAt : now;
    schedule();
  },
});
exposed.view = view;
view.contentDOM.addEventListener('keydown', (e) => (keyAt = e.timeStamp), true);

let queued = false;

function schedule(): void {
  if (timer !== undefined || queued) return;
  const busy = performance.now() - lastEnd < 2 * lastDuration;
  if (!busy) {
    // Idle: analyse as soon as the editor's own update is done.
    queued = true;
    queueMicrotask(() => {
      queued = false;
      update();
    });
    return;
  }
  timer = window.setTimeout(
    () => {
      timer = undefined;
      update();
    },
    Math.min(150, 2 * lastDuration),
  );
}

function update(): void {
  const start = performance.now();
  const gen = ++generation;
  current = analyse(state.model, state.of);
  const analysed = performance.now();
  renderProblems(current);
  $('results').classList.toggle('broken', !current.model);
  renderOptions(current);
  renderShapes(current);
  const gradientsStart = performance.now();
  renderGradients(current);
  const since = editAt || start;
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
  editAt = 0;
  lastEnd = performance.now();
  lastDuration = lastEnd - start;
  saveUrl();
  refreshData();
  exampleBox.value = EXAMPLES.find((e) => e.source === state.model)?.id ?? '';
  later(gen, renderSecond);
  later(gen, renderChecks);
  later(gen, renderTab);
}

/** Runs `f` in a later task unless a newer analysis has started by then. */
function later(gen: number, f: () => void | Promise<void>): void {
  // After the next frame, so that the gradients are painted before the slower stages run.
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (gen === generation) void f();
    }, 0),
  );
}

// ---------------------------------------------------------------------------------
// Problems

function renderProblems(a: Analysis): void {
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

// ---------------------------------------------------------------------------------
// Options: output and variables

function renderOptions(a: Analysis): void {
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
        update();
      });
      label.append(box, ` ${v.name}`);
      label.title = `${v.name}: ${v.shape}${v.props ? ' ' + v.props : ''}`;
      return label;
    }),
  );
}

/** The ticked variables: as chosen, else every variable the output depends on. */
function wrtNames(a: Analysis): string[] {
  const declared = a.variables.map((v) => v.name);
  return state.wrt
    ? state.wrt.filter((n) => declared.includes(n))
    : a.variables.filter((v) => v.used).map((v) => v.name);
}

$('of').addEventListener('change', () => {
  state.of = $<HTMLSelectElement>('of').value;
  if (current.model && state.of === current.model.output) state.of = undefined;
  update();
});

// ---------------------------------------------------------------------------------
// Shapes

function renderShapes(a: Analysis): void {
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

// ---------------------------------------------------------------------------------
// Derivatives

function renderGradients(a: Analysis): void {
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

function renderSecond(): void {
  const a = current;
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

function flash(b: HTMLButtonElement, text: string): void {
  const old = b.textContent;
  b.textContent = text;
  setTimeout(() => (b.textContent = old), 1200);
}

function note(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = text;
  return p;
}

// ---------------------------------------------------------------------------------
// Checks

function renderChecks(): void {
  const a = current;
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

// ---------------------------------------------------------------------------------
// Tabs: graph (Mermaid, loaded on first use), TypeScript and WGSL (formatted on demand)

const TABS = ['graph', 'ts', 'wgsl', 'numpy'];
let graphText = '';
const code: Record<string, string> = {};

function selectTab(tab: string, focus = false): void {
  state.tab = TABS.includes(tab) ? tab : 'graph';
  for (const t of TABS) {
    const b = $(`tab-${t}`);
    const on = t === state.tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
    if (on && focus) b.focus();
  }
  saveUrl();
  void renderTab();
}

for (const t of TABS) {
  const b = $(`tab-${t}`);
  b.addEventListener('click', () => {
    tabsSeen = true;
    selectTab(t);
  });
  b.addEventListener('keydown', (e) => {
    const k = TABS.indexOf(state.tab);
    const to =
      e.key === 'ArrowRight' ? (k + 1) % TABS.length : e.key === 'ArrowLeft' ? (k + TABS.length - 1) % TABS.length : -1;
    if (to >= 0) {
      e.preventDefault();
      selectTab(TABS[to]!, true);
    }
  });
}

/** Whether the tab panels are on screen: their content (Mermaid, prettier) is loaded only then. */
let tabsSeen = false;
const tabsObserver = new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting) && !tabsSeen) {
    tabsSeen = true;
    void renderTab();
  }
});

async function renderTab(): Promise<void> {
  const a = current;
  const gen = generation;
  if (!a.model || !a.output || !tabsSeen) return;
  const out = a.output;
  const model = a.model;
  const wrt = isScalar(out.node.shape) ? wrtNames(a) : [];
  try {
    if (state.tab === 'graph') {
      const { computationGraph } = await import('../../src/graph-draw/graph.js');
      const { toMermaid } = await import('../../src/graph-draw/mermaid.js');
      const text = toMermaid(
        computationGraph(
          model,
          out,
          wrt.map((n) => variable(model, n)!),
        ),
      );
      if (text === graphText) return;
      const { default: mermaid } = await import('mermaid');
      const dark = document.documentElement.dataset.theme === 'dark';
      mermaid.initialize({
        startOnLoad: false,
        securityLevel: 'strict',
        theme: dark ? 'dark' : 'default',
        flowchart: { useMaxWidth: false },
      });
      const { svg } = await mermaid.render(`graph-${gen}`, text);
      if (gen !== generation) return;
      graphText = text;
      $('graph').innerHTML = svg;
    } else {
      const { programOf } = await import('../../codegen/compile.js');
      const program = programOf(model, { of: out.name, wrt });
      const text =
        state.tab === 'ts'
          ? await (await import('../../codegen/ts/emit.js')).emitTs(program, { dtype: 'f64' })
          : state.tab === 'wgsl'
            ? await (await import('../../codegen/wgsl/emit.js')).emitWgsl(program, { lang: 'ts' })
            : (await import('../../codegen/numpy/emit.js')).emitNumpy(program, { model });
      if (gen !== generation) return;
      code[state.tab] = text;
      $(`code-${state.tab}`).textContent = text;
    }
  } catch (e) {
    const target = state.tab === 'graph' ? $('graph') : $(`code-${state.tab}`);
    target.textContent = problem(e).text;
  }
}

for (const b of document.querySelectorAll<HTMLButtonElement>('button.download')) {
  b.addEventListener('click', () => {
    const target = b.dataset.target!;
    const text = code[target];
    if (!text) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/typescript' }));
    a.download = { ts: 'model.ts', wgsl: 'model.wgsl.ts', numpy: 'model.py' }[target] ?? 'model.txt';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}

// ---------------------------------------------------------------------------------
// Run

const dataBox = $<HTMLTextAreaElement>('data');
const sizesBox = $<HTMLInputElement>('sizes');
const seedBox = $<HTMLInputElement>('seed');
/** The declarations the random data was drawn for: redrawn when they change. */
let drawnFor = '';

function signature(m: Model): string {
  return [...m.vars.values()]
    .map((v) => `${v.name}:${v.node.shape.rows.syms}${v.node.shape.cols.syms}${v.props}`)
    .join(';');
}

/** New random data when the declarations change, unless the user typed or pasted their own. */
function refreshData(force = false): void {
  const m = current.model;
  if (!m) return;
  const sizes = parseSizes(state.sizes);
  if (document.activeElement !== sizesBox) sizesBox.value = sizesText(m, sizes);
  if (state.data !== undefined && !force) {
    if (dataBox.value !== state.data) dataBox.value = state.data;
    return;
  }
  const sig = signature(m) + '|' + sizesText(m, sizes) + '|' + state.seed;
  if (sig === drawnFor && !force) return;
  drawnFor = sig;
  state.data = undefined;
  dataBox.value = randomData(m, sizes, state.seed);
  saveUrl();
}

dataBox.addEventListener('input', () => {
  state.data = dataBox.value;
  saveUrl();
});
sizesBox.addEventListener('change', () => {
  state.sizes = sizesBox.value;
  refreshData(true);
});
seedBox.addEventListener('change', () => {
  state.seed = Math.max(1, Math.floor(Number(seedBox.value)) || 1);
  refreshData(true);
});
$('random').addEventListener('click', () => {
  state.seed += 1;
  seedBox.value = String(state.seed);
  refreshData(true);
});
$('run-button').addEventListener('click', () => void runAll());

async function runAll(): Promise<void> {
  const out = $('run-output');
  const gpuLine = $('gpu');
  const button = $<HTMLButtonElement>('run-button');
  const a = current;
  if (!a.model || !a.output) {
    out.replaceChildren(note('Fix the model first.'));
    return;
  }
  button.disabled = true;
  out.replaceChildren(note('Running…'));
  $('run-json-ts').textContent = $('run-json-wgsl').textContent = '';
  try {
    const run = await import('./run.js');
    let p;
    let ts;
    try {
      p = run.prepare(a.model, dataBox.value, a.output.name, isScalar(a.output.node.shape) ? wrtNames(a) : []);
      ts = run.runTs(p);
    } catch (e) {
      out.replaceChildren(errorBlock(e));
      return;
    }
    $('run-json-ts').textContent = JSON.stringify(run.resultJson(p, ts));
    const fd = run.finiteDifferenceCheck(p, ts);
    let gpu: Awaited<ReturnType<(typeof import('./wgsl.js'))['runWgsl']>> | undefined;
    let why = '';
    try {
      const wgsl = await import('./wgsl.js');
      const status = await wgsl.gpuStatus(p.program);
      if (status.ok) gpu = await wgsl.runWgsl(p.program, run.inputsOf(p.data), run.dimsOf(p.data));
      else why = status.reason;
    } catch (e) {
      why = problem(e).message;
    }
    gpuLine.textContent = gpu
      ? `WebGPU adapter: ${gpu.adapter}`
      : `No WebGPU here: ${why}. Only the generated TypeScript ran.`;
    gpuLine.className = gpu ? 'ok' : 'warn';
    if (gpu) $('run-json-wgsl').textContent = JSON.stringify(run.resultJson(p, gpu));
    out.replaceChildren(resultTable(run, p, ts, gpu, fd));
  } finally {
    button.disabled = false;
  }
}

function errorBlock(e: unknown): HTMLElement {
  const pre = document.createElement('pre');
  pre.className = 'error';
  pre.textContent = problem(e).text;
  return pre;
}

type RunModule = typeof import('./run.js');

function resultTable(
  run: RunModule,
  p: import('./run.js').Prepared,
  ts: import('./run.js').BackendResult,
  gpu: import('./run.js').BackendResult | undefined,
  fd: { error: number; entries: number },
): HTMLElement {
  const wrap = document.createElement('div');
  const tsFlat = run.flat(p, ts);
  const gpuFlat = gpu && run.flat(p, gpu);
  const table = document.createElement('table');
  table.className = 'run';
  const head = table.insertRow();
  for (const h of ['', 'TypeScript (float64)', ...(gpu ? ['WGSL on WebGPU (float32)', 'largest |difference|'] : [])]) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  p.quantities.forEach((q, i) => {
    const tr = table.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = `${q.label} [${q.rows}, ${q.cols}]`;
    tr.append(th);
    tr.insertCell().append(valuePre(tsFlat[i]!, q.rows, q.cols));
    if (gpuFlat) {
      tr.insertCell().append(valuePre(gpuFlat[i]!, q.rows, q.cols));
      tr.insertCell().textContent = num(run.largestDifference([gpuFlat[i]!], [tsFlat[i]!]).abs);
    }
  });
  wrap.append(table);
  const summary = document.createElement('p');
  summary.id = 'run-summary';
  const parts: string[] = [];
  if (gpuFlat) {
    const d = run.largestDifference(gpuFlat, tsFlat);
    parts.push(`WGSL against TypeScript: largest difference ${num(d.abs)} (relative ${num(d.rel)}).`);
  }
  if (fd.entries)
    parts.push(
      `Gradients checked numerically: max relative error ${num(fd.error)} (central differences, ${fd.entries} entries).`,
    );
  summary.textContent = parts.join(' ');
  wrap.append(summary);
  return wrap;
}

const num = (x: number) =>
  x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6 ? x.toExponential(1) : x.toPrecision(4);

/** A value as rows of numbers, at most 8×8 shown. */
function valuePre(xs: number[], rows: number, cols: number): HTMLElement {
  const pre = document.createElement('pre');
  pre.className = 'value';
  const shown = (n: number, max: number) => Math.min(n, max);
  const lines: string[] = [];
  for (let i = 0; i < shown(rows, 8); i++) {
    const row = [];
    for (let j = 0; j < shown(cols, 8); j++) row.push(fmt(xs[i * cols + j]!));
    if (cols > 8) row.push('…');
    lines.push(row.join(' '));
  }
  if (rows > 8) lines.push('⋮');
  pre.textContent = lines.join('\n');
  return pre;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(6).padStart(12) : String(x).padStart(12));

// ---------------------------------------------------------------------------------
// Examples, sharing, start

exampleBox.append(new Option('— choose an example —', ''), ...EXAMPLES.map((e) => new Option(e.title, e.id)));
exampleBox.addEventListener('change', () => {
  const ex = EXAMPLES.find((e) => e.id === exampleBox.value);
  if (!ex) return;
  Object.assign(state, { of: undefined, wrt: undefined, data: ex.data, sizes: '', seed: 1 });
  seedBox.value = '1';
  drawnFor = '';
  editAt = performance.now();
  setText(view, ex.source);
});

$('share').addEventListener('click', () => {
  saveUrl();
  void navigator.clipboard?.writeText(location.href).then(
    () => flash($<HTMLButtonElement>('share'), 'Link copied'),
    () => flash($<HTMLButtonElement>('share'), 'Copy failed'),
  );
});

applyTheme();
seedBox.value = String(state.seed);
sizesBox.value = state.sizes;
selectTab(state.tab);
update();
// Watched once the first results are all in place (they push the tabs down).
requestAnimationFrame(() => setTimeout(() => tabsObserver.observe(document.querySelector('.tabs')!), 0));
document.body.dataset.ready = 'true';

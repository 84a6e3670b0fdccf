/**
 * The Run panel: the data (random, drawn again when the declarations, sizes or seed
 * change, or typed by the user) and the Run button, which runs the generated
 * TypeScript, and the WGSL where WebGPU is available, and checks the gradients
 * numerically.
 */
import { problem } from './analyse.js';
import { parseSizes, randomData, sizesText } from './data.js';
import type { Model } from '../../src/model/model.js';
import { isScalar } from '../../src/shape/shape.js';
import { $, errorBlock, note } from './dom.js';
import { resultTable } from './run-table.js';
import { saveUrl, session, state, wrtNames } from './session.js';

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
export function refreshData(force = false): void {
  const m = session.current.model;
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

/** A new model (an example): seed 1, and data drawn afresh unless it comes with its own. */
export function resetData(): void {
  seedBox.value = '1';
  drawnFor = '';
}

/** The boxes as the state says (at start). */
export function showRunSettings(): void {
  seedBox.value = String(state.seed);
  sizesBox.value = state.sizes;
}

/** The data, sizes and seed boxes, the new-data button and the Run button. */
export function initRunPanel(): void {
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
}

async function runAll(): Promise<void> {
  const out = $('run-output');
  const gpuLine = $('gpu');
  const button = $<HTMLButtonElement>('run-button');
  const a = session.current;
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

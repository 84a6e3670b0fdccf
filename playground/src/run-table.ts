/**
 * The results of a run as a table: each quantity's value from the generated TypeScript
 * (float64) and, where WebGPU ran, from the WGSL (float32) with their largest difference;
 * below it, the finite-difference check of the gradients.
 */
type RunModule = typeof import('./run.js');

export function resultTable(
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

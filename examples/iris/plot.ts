/**
 * A small, dependency-free SVG line plot: a title, axes with "nice" ticks (1, 2, 5 × 10ᵏ)
 * and grid lines, axis labels, one polyline per series and a legend.
 *
 *   writeFileSync('loss.svg', linePlot([{ label: 'train', points: [[1, 1.1], [2, 0.9]] }], {
 *     title: 'Loss', xLabel: 'epoch', yLabel: 'loss',
 *   }));
 *
 * The output is deterministic: the same data gives the same bytes.
 */

export interface Series {
  /** The legend's text. */
  label: string;
  /** [x, y] pairs in drawing order; non-finite pairs are left out. */
  points: readonly (readonly [number, number])[];
  /** Any SVG colour; by default from a colour-blind-safe palette. */
  color?: string;
  dashed?: boolean;
  /** Draw a dot at every point (for sparse series). */
  markers?: boolean;
}

export interface PlotOptions {
  title: string;
  /** A second, smaller line under the title. */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  /** Pixels; default 720 × 440. */
  width?: number;
  height?: number;
  /** Fix an end of an axis (e.g. yMin: 0 for a loss); otherwise the data's range, widened to ticks. */
  xMin?: number;
  xMax?: number;
  yMin?: number;
  yMax?: number;
}

/** Okabe–Ito: distinguishable in the common colour-vision deficiencies. */
const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];

const MARGIN = { left: 72, right: 24, top: 64, bottom: 58 };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** About `count` round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10ᵏ. */
export function niceTicks(lo: number, hi: number, count = 6): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceTicks(lo - pad, hi + pad, count);
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(cleanFloat(i * step));
  return { ticks, step };
}

/** i·step without the binary noise (0.30000000000000004 → 0.3). */
const cleanFloat = (v: number): number => Number(v.toPrecision(12));

/** A tick label with as many decimals as the step needs. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9) + (String(step).includes('25') ? 1 : 0));
  const text = v.toFixed(Math.min(decimals, 10));
  return text === '-0' || /^-0\.0*$/.test(text) ? text.slice(1) : text;
}

/** Escapes text for SVG character data and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A fixed-precision coordinate: short output, stable bytes. */
const px = (v: number): string => String(Math.round(v * 100) / 100);

/** The range of an axis: the data's, or the fixed ends; a free end is widened to the next tick. */
function axis(
  values: number[],
  min: number | undefined,
  max: number | undefined,
  ticks: number,
): { lo: number; hi: number; ticks: number[]; step: number } {
  let lo = min ?? Math.min(...values);
  let hi = max ?? Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  const { step } = niceTicks(lo, hi, ticks);
  if (min === undefined) lo = cleanFloat(Math.floor(lo / step + 1e-9) * step);
  if (max === undefined) hi = cleanFloat(Math.ceil(hi / step - 1e-9) * step);
  if (!(hi > lo)) hi = lo + step;
  const t = niceTicks(lo, hi, ticks);
  return { lo, hi, ticks: t.ticks.filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9), step: t.step };
}

/** The SVG document of a line plot of `series`. */
export function linePlot(series: readonly Series[], opts: PlotOptions): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 440;
  const top = MARGIN.top + (opts.subtitle ? 8 : 0);
  const plotW = W - MARGIN.left - MARGIN.right;
  const plotH = H - top - MARGIN.bottom;
  const finite = series.map((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const xs = finite.flatMap((p) => p.map(([x]) => x));
  const ys = finite.flatMap((p) => p.map(([, y]) => y));
  // The x axis spans the data exactly (epochs do not need padding); y is widened to ticks.
  const xa = axis(xs, opts.xMin ?? Math.min(...xs), opts.xMax ?? Math.max(...xs), 8);
  const ya = axis(ys, opts.yMin, opts.yMax, 6);
  const X = (x: number) => MARGIN.left + ((x - xa.lo) / (xa.hi - xa.lo)) * plotW;
  const Y = (y: number) => top + plotH - ((y - ya.lo) / (ya.hi - ya.lo)) * plotH;
  const right = MARGIN.left + plotW;
  const bottom = top + plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(opts.title)}">`,
    `<title>${escapeXml(opts.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  );
  // Title and subtitle.
  out.push(
    `<text x="${px(W / 2)}" y="28" text-anchor="middle" font-size="17" font-weight="600" fill="#1a1a1a" ${FONT}>${escapeXml(opts.title)}</text>`,
  );
  if (opts.subtitle)
    out.push(
      `<text x="${px(W / 2)}" y="48" text-anchor="middle" font-size="12.5" fill="#555555" ${FONT}>${escapeXml(opts.subtitle)}</text>`,
    );

  // Grid and ticks.
  out.push(`<g class="grid" stroke="#e6e6e6" stroke-width="1">`);
  for (const t of ya.ticks)
    out.push(`<line x1="${px(MARGIN.left)}" y1="${px(Y(t))}" x2="${px(right)}" y2="${px(Y(t))}"/>`);
  for (const t of xa.ticks) out.push(`<line x1="${px(X(t))}" y1="${px(top)}" x2="${px(X(t))}" y2="${px(bottom)}"/>`);
  out.push(`</g>`);
  out.push(`<g class="axes" stroke="#333333" stroke-width="1.2" fill="none">`);
  out.push(
    `<polyline points="${px(MARGIN.left)},${px(top)} ${px(MARGIN.left)},${px(bottom)} ${px(right)},${px(bottom)}"/>`,
  );
  for (const t of ya.ticks)
    out.push(`<line x1="${px(MARGIN.left - 5)}" y1="${px(Y(t))}" x2="${px(MARGIN.left)}" y2="${px(Y(t))}"/>`);
  for (const t of xa.ticks)
    out.push(`<line x1="${px(X(t))}" y1="${px(bottom)}" x2="${px(X(t))}" y2="${px(bottom + 5)}"/>`);
  out.push(`</g>`);
  out.push(`<g class="tick-labels" font-size="12" fill="#333333" ${FONT}>`);
  for (const t of ya.ticks)
    out.push(`<text x="${px(MARGIN.left - 9)}" y="${px(Y(t) + 4)}" text-anchor="end">${tickLabel(t, ya.step)}</text>`);
  for (const t of xa.ticks)
    out.push(`<text x="${px(X(t))}" y="${px(bottom + 20)}" text-anchor="middle">${tickLabel(t, xa.step)}</text>`);
  out.push(`</g>`);

  // Axis labels.
  out.push(
    `<text x="${px(MARGIN.left + plotW / 2)}" y="${px(H - 14)}" text-anchor="middle" font-size="13.5" fill="#1a1a1a" ${FONT}>${escapeXml(opts.xLabel)}</text>`,
    `<text transform="translate(${px(20)} ${px(top + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="13.5" fill="#1a1a1a" ${FONT}>${escapeXml(opts.yLabel)}</text>`,
  );

  // The series, clipped to the plot area.
  out.push(
    `<clipPath id="plot-area"><rect x="${px(MARGIN.left)}" y="${px(top - 2)}" width="${px(plotW + 2)}" height="${px(plotH + 4)}"/></clipPath>`,
  );
  out.push(`<g clip-path="url(#plot-area)">`);
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = finite[i]!.map(([x, y]) => `${px(X(x))},${px(Y(y))}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<polyline class="series" data-label="${escapeXml(s.label)}" fill="none" stroke="${color}" stroke-width="2.2" stroke-linejoin="round" stroke-linecap="round"${dash} points="${pts}"/>`,
    );
    if (s.markers)
      for (const [x, y] of finite[i]!) out.push(`<circle cx="${px(X(x))}" cy="${px(Y(y))}" r="2.6" fill="${color}"/>`);
  });
  out.push(`</g>`);

  // Legend, top right inside the plot.
  if (series.length) {
    const rowH = 20;
    const textW = Math.max(...series.map((s) => s.label.length)) * 7 + 8;
    const boxW = 40 + textW;
    const boxH = series.length * rowH + 10;
    const bx = right - boxW - 10;
    const by = top + 10;
    out.push(`<g class="legend" font-size="12.5" fill="#1a1a1a" ${FONT}>`);
    out.push(
      `<rect x="${px(bx)}" y="${px(by)}" width="${px(boxW)}" height="${px(boxH)}" rx="4" fill="#ffffff" fill-opacity="0.92" stroke="#cccccc"/>`,
    );
    series.forEach((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length]!;
      const y = by + 5 + rowH * i + rowH / 2;
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      out.push(
        `<line x1="${px(bx + 8)}" y1="${px(y)}" x2="${px(bx + 32)}" y2="${px(y)}" stroke="${color}" stroke-width="2.2"${dash}/>`,
      );
      out.push(`<text x="${px(bx + 38)}" y="${px(y + 4.5)}">${escapeXml(s.label)}</text>`);
    });
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}

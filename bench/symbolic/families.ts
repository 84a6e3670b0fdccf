/**
 * The five model families of the symbolic benchmark (issue 9), as model source: each is
 * a function of its size and of a tag appended to every name, so that models built in one
 * process share no interned nodes (and no simplifier memo) with one another.
 */

export interface Family {
  name: string;
  /** Sizes, smallest first; the last ones only with --full. */
  sizes: number[];
  full: number[];
  source(size: number, tag: string): string;
  /** The dimension sizes for `run`. */
  dims: Record<string, number>;
}

/** `h{i} = tanh(h{i-1}) + h{i-1}`: a residual chain on one vector. */
export function residualChain(depth: number, t = ''): string {
  const lines = [`x${t}: [n]`, `h0${t} = x${t}`];
  for (let i = 1; i <= depth; i++) lines.push(`h${i}${t} = tanh(h${i - 1}${t}) + h${i - 1}${t}`);
  lines.push(`L${t} = sum(h${depth}${t})`);
  return lines.join('\n');
}

/** `H{i} = H{i-1} + tanh(W{i}·H{i-1} + b{i})`, loss ‖H{d} − Y‖². */
export function residualNetwork(depth: number, t = ''): string {
  const lines = [`X${t}: [n, B]; Y${t}: [n, B]`];
  for (let i = 1; i <= depth; i++) lines.push(`W${i}${t}: [n, n]; b${i}${t}: [n]`);
  lines.push(`H0${t} = X${t}`);
  for (let i = 1; i <= depth; i++) lines.push(`H${i}${t} = H${i - 1}${t} + tanh(W${i}${t}·H${i - 1}${t} + b${i}${t})`);
  lines.push(`L${t} = ‖H${depth}${t} − Y${t}‖²`);
  return lines.join('\n');
}

/**
 * Transformer blocks over the B columns of X: single-head attention with Q/K/V
 * projections, residual, layer norm over each column (mean and variance as [1,B] rows,
 * with ε), an MLP with relu, residual; loss ‖H − Y‖².
 */
export function transformer(blocks: number, t = ''): string {
  const lines = [`X${t}: [d, B]; Y${t}: [d, B]`];
  for (let i = 1; i <= blocks; i++)
    lines.push(
      `Wq${i}${t}: [d, d]; Wk${i}${t}: [d, d]; Wv${i}${t}: [d, d]; A${i}${t}: [h, d]; c${i}${t}: [h]; D${i}${t}: [d, h]; e${i}${t}: [d]`,
    );
  lines.push(`H0${t} = X${t}`);
  for (let i = 1; i <= blocks; i++) {
    const [p, s] = [`H${i - 1}${t}`, `${i}${t}`];
    lines.push(
      `Q${s} = Wq${s}·${p}; K${s} = Wk${s}·${p}; V${s} = Wv${s}·${p}`,
      `P${s} = softmax(K${s}ᵀ·Q${s} / sqrt(d))`,
      `R${s} = ${p} + V${s}·P${s}`,
      `M${s} = ones(d)ᵀ·R${s} / d`,
      `C${s} = R${s} − M${s}`,
      `S${s} = ones(d)ᵀ·(C${s} ⊙ C${s}) / d`,
      `N${s} = C${s} ⊘ sqrt(S${s} + 0.00001)`,
      `H${s} = N${s} + D${s}·relu(A${s}·N${s} + c${s}) + e${s}`,
    );
  }
  lines.push(`L${t} = ‖H${blocks}${t} − Y${t}‖²`);
  return lines.join('\n');
}

/** Σ x{a}·x{b} over `terms` pseudo-random pairs of 100 scalars. */
export function quadraticForm(terms: number, t = ''): string {
  const lines = [Array.from({ length: 100 }, (_, i) => `x${i}${t}: []`).join('; ')];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 100;
  const parts: string[] = [];
  for (let k = 0; k < terms; k++) parts.push(`x${next()}${t}·x${next()}${t}`);
  lines.push(`L${t} = ${parts.join(' + ')}`);
  return lines.join('\n');
}

/** `v{i} = v{i-1} + x`, then L = sum(v{N}). */
export function definitionChain(length: number, t = ''): string {
  const lines = [`x${t}: [n]`, `v0${t} = x${t}`];
  for (let i = 1; i <= length; i++) lines.push(`v${i}${t} = v${i - 1}${t} + x${t}`);
  lines.push(`L${t} = sum(v${length}${t})`);
  return lines.join('\n');
}

export const FAMILIES: Family[] = [
  { name: 'residual vector chain', sizes: [10, 100, 1000], full: [10000], source: residualChain, dims: { n: 8 } },
  { name: 'residual network', sizes: [4, 16, 64], full: [256], source: residualNetwork, dims: { n: 8, B: 4 } },
  { name: 'transformer blocks', sizes: [1, 2, 6], full: [12], source: transformer, dims: { d: 8, B: 4, h: 16 } },
  { name: 'quadratic form', sizes: [100, 1000, 10000], full: [100000], source: quadraticForm, dims: {} },
  { name: 'definition chain', sizes: [1000, 10000], full: [100000], source: definitionChain, dims: { n: 8 } },
];

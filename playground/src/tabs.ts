/**
 * The tabs below the derivatives: the computation graph (Mermaid, loaded on first use)
 * and the generated TypeScript, WGSL and NumPy (formatted on demand), each with its
 * download button. Their content is loaded only once the tabs are on screen.
 */
import { problem, variable } from './analyse.js';
import { isScalar } from '../../src/shape/shape.js';
import { $ } from './dom.js';
import { saveUrl, session, state, wrtNames } from './session.js';

const TABS = ['graph', 'ts', 'wgsl', 'numpy'];
/** The Mermaid text of the graph drawn last ('' to draw it again). */
let graphText = '';
/** The generated code shown in each code tab, for its download button. */
const code: Record<string, string> = {};

/** Draws the graph again next time (in the new theme's colours). */
export function forgetGraph(): void {
  graphText = '';
}

export function selectTab(tab: string, focus = false): void {
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

/** The tab buttons (click, arrow keys) and the download buttons. */
export function initTabs(): void {
  for (const t of TABS) {
    const b = $(`tab-${t}`);
    b.addEventListener('click', () => {
      tabsSeen = true;
      selectTab(t);
    });
    b.addEventListener('keydown', (e) => {
      const k = TABS.indexOf(state.tab);
      const to =
        e.key === 'ArrowRight'
          ? (k + 1) % TABS.length
          : e.key === 'ArrowLeft'
            ? (k + TABS.length - 1) % TABS.length
            : -1;
      if (to >= 0) {
        e.preventDefault();
        selectTab(TABS[to]!, true);
      }
    });
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
}

/** Whether the tab panels are on screen: their content (Mermaid, prettier) is loaded only then. */
let tabsSeen = false;
const tabsObserver = new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting) && !tabsSeen) {
    tabsSeen = true;
    void renderTab();
  }
});

/** Starts watching for the tabs to come on screen. */
export function observeTabs(): void {
  tabsObserver.observe(document.querySelector('.tabs')!);
}

export async function renderTab(): Promise<void> {
  const a = session.current;
  const gen = session.generation;
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
      if (gen !== session.generation) return;
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
      if (gen !== session.generation) return;
      code[state.tab] = text;
      $(`code-${state.tab}`).textContent = text;
    }
  } catch (e) {
    const target = state.tab === 'graph' ? $('graph') : $(`code-${state.tab}`);
    target.textContent = problem(e).text;
  }
}

/**
 * The playground in a real browser: playground/ is built with Vite, served by Vite's
 * preview server on 127.0.0.1 (a secure context, so navigator.gpu exists), and driven
 * headless in Debian's Chromium through playwright-core. What the page shows is compared
 * with what the CLI prints for the same model and data.
 *
 * Without Chromium the suite is skipped, saying why — unless CI is set, where it runs
 * and fails. Screenshots of each state go to test-artifacts/playground/ (gitignored).
 * Two numbers are measured and printed, not asserted: keystroke → re-rendered gradients
 * for examples/mlp.mdf, and the JavaScript of the first load, gzipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { main } from '../src/cli/main.js';

const CHROMIUM = process.env.MATDIFF_CHROMIUM ?? '/usr/bin/chromium';
const CI = ['1', 'true'].includes((process.env.CI ?? '').toLowerCase());
const skipReason =
  existsSync(CHROMIUM) || CI
    ? ''
    : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set MATDIFF_CHROMIUM) and CI is not set`;
if (skipReason) console.warn(`test/playground.test.ts skipped: ${skipReason}`);

const ARGS = [
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SHOTS = 'test-artifacts/playground';
const SLOW = 300_000;

interface PreviewServer {
  resolvedUrls: { local: string[] } | null;
  close(): Promise<void>;
}

let browser: Browser;
let server: PreviewServer;
let base: string;

/** A fresh page on the playground (a link's fragment optional), ready when its first analysis is done. */
/** Playwright's waits, generous: CI shares two cores with the other test files. */
const PAGE_TIMEOUT = 120_000;

async function open(hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(PAGE_TIMEOUT); // a busy machine can take longer than Playwright's 30 s
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addInitScript('globalThis.page$ = (selector) => document.querySelector(selector);');
  await page.goto(base + hash);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });

/** The Unicode text of each gradient line shown (results, then `where` lines). */
const gradientLines = (page: Page) =>
  page.$$eval('#gradients .line', (rows) =>
    rows.map((r) => (r as unknown as { dataset: { unicode: string } }).dataset.unicode),
  );

const editorText = (page: Page) =>
  page.evaluate(
    () => (globalThis as unknown as { matdiffPlayground: { state: { model: string } } }).matdiffPlayground.state.model,
  );

/** Waits until the editor holds `text`; else fails showing what it holds. */
async function modelIs(page: Page, text: string): Promise<void> {
  try {
    await page.waitForFunction(
      (m) =>
        (globalThis as unknown as { matdiffPlayground: { state: { model: string } } }).matdiffPlayground.state.model ===
        m,
      text,
      { timeout: 20_000 },
    );
  } catch {
    expect(await editorText(page)).toBe(text);
  }
}

/** Puts the editor's cursor on `line` (1-based) after `column` characters (the end for Infinity). */
async function cursorAt(page: Page, line: number, column: number): Promise<void> {
  await page.evaluate(
    ([line, column]) => {
      type View = {
        state: { doc: { line(n: number): { from: number; length: number } } };
        dispatch(tr: object): void;
        focus(): void;
      };
      const view = (globalThis as unknown as { matdiffPlayground: { view: View } }).matdiffPlayground.view;
      const l = view.state.doc.line(line!);
      view.dispatch({ selection: { anchor: l.from + Math.min(column ?? l.length, l.length) } });
      view.focus();
    },
    [line, Number.isFinite(column) ? column : null],
  );
}

/** Replaces the model by typing it, as a user would. */
async function typeModel(page: Page, text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

/** What the CLI prints for `args` on a model text. */
async function cli(model: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'matdiff-playground-'));
  const file = join(dir, 'model.mdf');
  writeFileSync(file, model);
  const r = await main([args[0]!, file, ...args.slice(1)]);
  return { ...r, err: r.err.replaceAll(file, 'model.mdf') };
}

/**
 * `document.querySelector` inside the page. (This file is type-checked without the DOM
 * library; the functions given to page.waitForFunction run in the browser.)
 */
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare function page$(selector: string): PageElement | null;

/** Every number of a data-layout JSON value, flattened. */
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(numbers) : [v as number]);

describe.skipIf(skipReason !== '')(`the playground in Chromium${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM}`);
    mkdirSync(SHOTS, { recursive: true });
    const { build, preview } = await import('vite');
    const configFile = 'playground/vite.config.ts';
    await build({ configFile, logLevel: 'warn' });
    server = (await preview({
      configFile,
      preview: { host: '127.0.0.1', port: 0 },
      logLevel: 'warn',
    })) as PreviewServer;
    base = server.resolvedUrls!.local[0]!;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'loads examples/mlp.mdf and shows its gradients as the CLI prints them; first-load JavaScript measured',
    async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      page.setDefaultTimeout(PAGE_TIMEOUT); // a busy machine can take longer than Playwright's 30 s
      const js: Promise<number>[] = [];
      page.on('response', (r) => {
        if (/\.js(\?|$)/.test(r.url())) js.push(r.body().then((b) => gzipSync(b).length));
      });
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]');
      await page.waitForLoadState('networkidle');
      const sizes = await Promise.all(js);
      console.log(
        `playground first load: ${sizes.length} JavaScript files, ${(sizes.reduce((s, x) => s + x, 0) / 1024).toFixed(1)} KiB gzipped (target < 600 KB)`,
      );

      expect(await page.title()).toContain('matdiff');
      const expected = (await cli(readFileSync('examples/mlp.mdf', 'utf8'), 'grad')).out.split('\n');
      expect(await gradientLines(page)).toEqual(expected.map((l) => l.trim()));
      expect(await page.locator('#gradients .katex').count()).toBe(expected.length);
      expect(await page.locator('#shapes').innerText()).toContain('[k, B]');
      await shot(page, '1-load');
      await page.close();
    },
    SLOW,
  );

  it(
    'typing a model (with the \\cdot and ^T Tab helpers) shows the gradient the CLI prints',
    async () => {
      const page = await open();
      // `\cdot` and `^T`, each followed by Tab, become `·` and `ᵀ`.
      await typeModel(page, 'A: [m, n]; x: [n]; y: [m]\nr = A\\cdot');
      await page.keyboard.press('Tab');
      await modelIs(page, 'A: [m, n]; x: [n]; y: [m]\nr = A·');
      await page.keyboard.type('x - y\nL = r^T');
      await page.keyboard.press('Tab');
      await modelIs(page, 'A: [m, n]; x: [n]; y: [m]\nr = A·x - y\nL = rᵀ');
      await page.keyboard.type('·r + sum(x ⊙ x)\n');
      const model = 'A: [m, n]; x: [n]; y: [m]\nr = A·x - y\nL = rᵀ·r + sum(x ⊙ x)\n';
      await modelIs(page, model);
      const expected = (await cli(model, 'grad')).out.split('\n').map((l) => l.trim());
      await page.waitForFunction(
        (first) => page$('#gradients .line')?.getAttribute('data-unicode') === first,
        expected[0],
      );
      expect(await gradientLines(page)).toEqual(expected);
      expect(await editorText(page)).toBe(model);
      await shot(page, '2-typed');
      await page.close();
    },
    SLOW,
  );

  it(
    'a bad model shows the CLI error at its line and column, in the panel and in the editor',
    async () => {
      const page = await open();
      const model = 'A: [2, 3]; B: [4, 5]\nC = A·B\n';
      await typeModel(page, model);
      const cliErr = await cli(model, 'print');
      expect(cliErr.code).toBe(1);
      const head = cliErr.err.split('\n')[0]!; // model.mdf:2:5: error[E010]: cannot multiply …
      expect(head).toMatch(/^model\.mdf:2:\d+: error\[E010\]: /);
      await page.waitForSelector('#problems pre.error');
      expect((await page.locator('#problems pre.error').innerText()).split('\n')[0]).toBe(head);
      // The diagnostic underlines text on line 2, where the column points.
      const column = Number(head.split(':')[2]);
      const underlined = page.locator('.cm-line').nth(1).locator('.cm-lintRange-error');
      await underlined.first().waitFor();
      const lineText = model.split('\n')[1]!;
      expect(lineText.slice(column - 1)).toContain(await underlined.first().innerText());
      await shot(page, '3-error');
      await page.close();
    },
    SLOW,
  );

  it(
    'Run: the WGSL on WebGPU equals `matdiff run --backend ts` on the same data (f32 tolerance)',
    async () => {
      const page = await open();
      await page.click('#run-button');
      await page.waitForSelector('#run-summary', { timeout: 120_000 });
      const gpu = await page.locator('#gpu').innerText();
      expect(gpu, 'the page should find a WebGPU adapter').toMatch(/^WebGPU adapter: /);
      console.log(`playground run: ${gpu}; ${await page.locator('#run-summary').innerText()}`);
      const data = await page.locator('#data').inputValue();
      const dir = mkdtempSync(join(tmpdir(), 'matdiff-playground-'));
      writeFileSync(join(dir, 'data.json'), data);
      const r = await main(['run', 'examples/mlp.mdf', '--inputs', join(dir, 'data.json'), '--backend', 'ts']);
      expect(r.err).toBe('');
      const want = JSON.parse(r.out) as { value: unknown; grad: Record<string, unknown> };
      const wgsl = JSON.parse((await page.locator('#run-json-wgsl').textContent()) ?? '') as typeof want;
      const ts = JSON.parse((await page.locator('#run-json-ts').textContent()) ?? '') as typeof want;
      expect(Object.keys(wgsl.grad)).toEqual(Object.keys(want.grad));
      for (const key of ['value', ...Object.keys(want.grad)]) {
        const expected = numbers(key === 'value' ? want.value : want.grad[key]);
        const got = numbers(key === 'value' ? wgsl.value : wgsl.grad[key]);
        const inPage = numbers(key === 'value' ? ts.value : ts.grad[key]);
        const scale = Math.max(1, ...expected.map(Math.abs));
        expect(got.length).toBe(expected.length);
        got.forEach((g, i) => expect(Math.abs(g - expected[i]!), `${key}[${i}]`).toBeLessThan(1e-5 * scale));
        inPage.forEach((g, i) => expect(Math.abs(g - expected[i]!), `${key}[${i}]`).toBeLessThan(1e-12 * scale));
      }
      // The finite-difference check is reported with its error, and it is small.
      const summary = await page.locator('#run-summary').innerText();
      const fd = /max relative error (\S+) /.exec(summary);
      expect(fd, summary).not.toBeNull();
      expect(Number(fd![1])).toBeLessThan(1e-5);
      await page.locator('#run').scrollIntoViewIfNeeded();
      await shot(page, '4-run');
      await page.close();
    },
    SLOW,
  );

  it(
    'the URL round-trips: model, output, ticked variables, tab and theme',
    async () => {
      const page = await open();
      await page.selectOption('#example', 'sigmoid-chain');
      await page.waitForFunction(() => page$('#of')?.textContent?.includes('a4'));
      await page.uncheck('#wrt input[value="x"]');
      await page.uncheck('#wrt input[value="y"]');
      await page.click('#tab-ts');
      await page.click('#theme');
      await page.waitForSelector('#code-ts:not(:empty)');
      const lines = await gradientLines(page);
      expect(lines[0]).toMatch(/^∂L\/∂w1 = /);
      const url = page.url();
      await shot(page, '5-before-link');

      const again = await open(new URL(url).hash);
      expect(await editorText(again)).toBe(readFileSync('examples/sigmoid-chain.mdf', 'utf8'));
      expect(await gradientLines(again)).toEqual(lines);
      expect(await again.locator('#tab-ts').getAttribute('aria-selected')).toBe('true');
      expect(await again.getAttribute('html', 'data-theme')).toBe('dark');
      expect(await again.isChecked('#wrt input[value="x"]')).toBe(false);
      expect(await again.isChecked('#wrt input[value="w1"]')).toBe(true);
      // The sigmoid chain's own data travels with it.
      expect(JSON.parse(await again.locator('#data').inputValue())).toEqual(
        JSON.parse(readFileSync('examples/sigmoid-chain.json', 'utf8')),
      );
      await again.locator('.tabs').scrollIntoViewIfNeeded(); // the panels load when seen
      await again.waitForSelector('#code-ts:not(:empty)');
      await shot(again, '5-from-link-dark');
      // The other targets, each in its tab.
      await again.click('#tab-wgsl');
      await again.waitForFunction(() => page$('#code-wgsl')?.textContent?.includes('@compute'));
      await again.click('#tab-numpy');
      await again.waitForFunction(() => page$('#code-numpy')?.textContent?.includes('def value_and_grad'));
      expect(await again.locator('#code-ts').textContent()).toContain('export function valueAndGrad');
      await shot(again, '5-numpy');
      await again.close();
      await page.close();
    },
    SLOW,
  );

  it(
    'measures keystroke → re-rendered gradients on examples/mlp.mdf (printed, not asserted)',
    async () => {
      const page = await open();
      await page.click('#tab-graph');
      await page.waitForSelector('#graph svg', { timeout: 120_000 });
      await shot(page, '6-graph');
      type Timing = { compute: number; painted: number; [phase: string]: number };
      const timings = () =>
        page.evaluate(() =>
          (globalThis as unknown as { matdiffPlayground: { timings: Timing[] } }).matdiffPlayground.timings.slice(),
        );
      /** Presses `key` and returns the timing of the analysis it caused. */
      const press = async (key: string): Promise<Timing> => {
        const before = (await timings()).length;
        await page.keyboard.press(key);
        await page.waitForFunction(
          (n) =>
            (globalThis as unknown as { matdiffPlayground: { timings: Timing[] } }).matdiffPlayground.timings.length >
            n,
          before,
        );
        await page.waitForTimeout(300); // let the later stages finish, so that each sample starts idle
        return (await timings()).at(-1)!;
      };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const report = (what: string, samples: Timing[]) =>
        console.log(
          `playground keystroke → gradients, examples/mlp.mdf, ${what} (${samples.length} keystrokes): median ${median(samples.map((s) => s.compute)).toFixed(1)} ms to the DOM, ${median(samples.map((s) => s.painted)).toFixed(1)} ms to after the next frame; max ${Math.max(...samples.map((s) => s.painted)).toFixed(1)} ms (target < 50 ms)`,
        );

      // 1. Keystrokes in line 7's comment: every analysis parses, differentiates, simplifies
      //    and prints anew; the typeset lines are the same, so KaTeX's HTML is reused.
      const line7 = 'L = -sum(Y ⊙ log(P)) / B';
      await page.click('.cm-content');
      await cursorAt(page, 7, Infinity);
      const comment: Timing[] = [];
      for (const key of [...'_and_again']) comment.push(await press(key));
      report('typing in a comment', comment);

      // 2. Keystrokes that change every gradient: `/ B` becomes `/ 2`, `/ 3`, … (each digit
      //    follows a Backspace, which leaves the model broken for a moment: not measured).
      await cursorAt(page, 7, line7.length);
      const changed: Timing[] = [];
      for (const digit of '23456789') {
        await press('Backspace');
        changed.push(await press(digit));
      }
      report('changing the formula', changed);
      console.log(
        'phases (ms):',
        JSON.stringify(changed.map((t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])))),
      );
      const expected = (await cli(await editorText(page), 'grad')).out.split('\n');
      expect(await gradientLines(page)).toEqual(expected.map((l) => l.trim()));
      await shot(page, '7-edited');
      await page.close();
    },
    SLOW,
  );
});

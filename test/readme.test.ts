/**
 * The README's claims, checked: the counts it states against the example files, the
 * output it shows for each `matdiff` command against the command's output, the files it
 * names against the tree, and the install size it states against package.json's promise.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';

const README = readFileSync('README.md', 'utf8');
const asserts = (path: string) => readFileSync(path, 'utf8').match(/^assert /gm)?.length ?? 0;

/** The sh code blocks' lines. */
const shellLines = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'));

describe('README', () => {
  it('every count of identities it states is the number of asserts in the file on that line', () => {
    const claims = [...README.matchAll(/^.*\b(\d+) (?:Matrix Cookbook )?identities.*$/gm)];
    expect(claims.length).toBeGreaterThan(0);
    for (const [line, n] of claims) {
      const file = /examples\/[\w-]+\.mdf/.exec(line!)?.[0];
      expect(file, line).toBeDefined();
      expect(Number(n), line).toBe(asserts(file!));
      // and the summary line it quotes
      for (const [, hold] of line!.matchAll(/'(\d+) hold, 0 fail'/g)) expect(Number(hold)).toBe(asserts(file!));
    }
  });

  it('every file it names exists', () => {
    const paths = new Set(
      [...README.matchAll(/\b((?:examples|docs|src|codegen|grammar|bench|scripts|\.ci)\/[\w./-]*\w)/g)].map(
        (m) => m[1]!,
      ),
    );
    expect(paths.size).toBeGreaterThan(10);
    // bench/results/ is where the benchmarks write, made when they run.
    for (const p of paths) if (p !== 'bench/results') expect(existsSync(p), p).toBe(true);
  });

  it('the output it shows under "The first command prints" is what matdiff grad examples/mlp.mdf prints', async () => {
    const shown = /The first command prints\n\n```\n([\s\S]*?)\n```/.exec(README)![1]!;
    const r = await main(['grad', 'examples/mlp.mdf']);
    expect(r.code).toBe(0);
    expect(shown).toBe(r.out);
  });

  it('each derivative it shows in a comment is a line the command prints', async () => {
    let checked = 0;
    for (let i = 0; i < shellLines.length; i++) {
      const m = /^npx matdiff ((?:grad|hess|jac) [^#]*?)\s*(?:#\s*(.*))?$/.exec(shellLines[i]!);
      if (!m) continue;
      const shown = [m[2] ?? ''];
      for (let j = i + 1; j < shellLines.length && shellLines[j]!.startsWith('# '); j++)
        shown.push(shellLines[j]!.slice(2));
      const lines = shown.map((l) => l.replace(/\s+←.*$/, '').trimEnd()).filter((l) => /^\s*(∂|where )/.test(l));
      if (lines.length === 0) continue;
      const r = await main(m[1]!.split(/\s+/));
      expect(r.code, m[1]).toBe(0);
      const printed = r.out.split('\n');
      for (const l of lines) expect(printed, `${m[1]}: ${l}`).toContain(l);
      checked += lines.length;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('the install size it states is the one test/api.test.ts holds the package to', () => {
    const mb = Number(/npm install matdiff` \(about (\d+) MB/.exec(README)![1]);
    const limit = /installedBytes\)\.toBeLessThan\((\d+)_000_000\)/.exec(readFileSync('test/api.test.ts', 'utf8'))![1];
    expect(mb).toBeLessThanOrEqual(Number(limit));
  });
});

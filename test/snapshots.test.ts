/**
 * What users see, pinned: for every model in examples/, the commands its header names
 * (`#   matdiff grad examples/… --wrt …`) and, for a model with an output, its gradients
 * in all three formats and its emitted TypeScript, WGSL and NumPy modules. Each output lives in
 * test/snapshots/<example>/<command>.txt, so the diff of a change shows a reviewer what
 * it did to users' output.
 *
 * Regenerate after an intended change with `UPDATE_SNAPSHOTS=1 npx vitest run test/snapshots.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { main } from '../src/cli/main.js';

const EXAMPLES = 'examples';
const SNAPSHOTS = 'test/snapshots';
const update = process.env.UPDATE_SNAPSHOTS === '1';

/** The commands a model's header names, as argument lists. */
function headerCommands(file: string, source: string): string[][] {
  const commands: string[][] = [];
  for (const line of source.split('\n')) {
    const m = /^#\s+matdiff\s+(.*?)\s*(?:#.*)?$/.exec(line);
    if (!m || !m[1]!.includes(file)) continue;
    commands.push(m[1]!.split(/\s+/));
  }
  return commands;
}

/** Every command pinned for one example: its header's, then the derivative and code outputs. */
function commandsFor(file: string): string[][] {
  const source = readFileSync(file, 'utf8');
  const commands = headerCommands(file, source);
  const hasOutput = source.split('\n').some((l) => /^\s*[\p{L}][\p{L}\p{N}_]*\s*=/u.test(l));
  if (hasOutput) {
    for (const format of ['unicode', 'ascii', 'latex']) commands.push(['grad', file, '--format', format]);
    for (const target of ['ts', 'wgsl', 'numpy']) commands.push(['emit', file, '--target', target]);
  }
  return commands;
}

/** A file name for a command: its words after the file, letters and digits kept. */
function snapshotName(argv: string[]): string {
  const words = [argv[0]!, ...argv.slice(2)].join(' ');
  return `${words.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '')}.txt`;
}

async function render(argv: string[]): Promise<string> {
  const r = await main(argv);
  const head = `$ matdiff ${argv.join(' ')}\n`;
  return r.code === 0 ? head + r.out : `${head}# exit ${r.code}\n${r.out}${r.err}`;
}

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.mdf'))
  .sort();

describe('snapshots of every example', () => {
  for (const name of examples) {
    const file = join(EXAMPLES, name);
    const dir = join(SNAPSHOTS, basename(name, '.mdf'));
    for (const argv of commandsFor(file)) {
      it(`matdiff ${argv.join(' ')}`, async () => {
        const path = join(dir, snapshotName(argv));
        const actual = await render(argv);
        if (update || !existsSync(path)) {
          if (!update && process.env.CI) throw new Error(`missing snapshot ${path}: run with UPDATE_SNAPSHOTS=1`);
          mkdirSync(dir, { recursive: true });
          writeFileSync(path, actual);
          return;
        }
        expect(actual, `${path} differs: run with UPDATE_SNAPSHOTS=1 if the change is intended`).toBe(
          readFileSync(path, 'utf8'),
        );
      });
    }
  }
});

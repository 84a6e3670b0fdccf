#!/usr/bin/env node
// `npm test [-- vitest args]`: runs vitest, then prints the plain closing line
// `tests: N passed, N failed, N skipped` from its JSON report, and exits with vitest's status.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

// A full run (no arguments) first type-checks everything, tests and examples included,
// and checks the layering rules.
if (process.argv.length === 2) {
  for (const project of ['tsconfig.check.json', 'bench/tsconfig.json', 'playground/tsconfig.json']) {
    const tsc = spawnSync('npx', ['tsc', '-p', project], { stdio: 'inherit' });
    if (tsc.status !== 0) {
      console.log(`tests: 0 passed, 1 failed (type errors in ${project})`);
      process.exit(1);
    }
  }
  // The layering (.dependency-cruiser.cjs): no import cycles, graph/node.ts a leaf, the
  // core below codegen/, the command line on top.
  const layers = spawnSync('npx', ['depcruise', '--config', '.dependency-cruiser.cjs', 'src', 'codegen'], {
    stdio: 'inherit',
  });
  if (layers.status !== 0) {
    console.log('tests: 0 passed, 1 failed (layering rules broken: see .dependency-cruiser.cjs)');
    process.exit(1);
  }
}

const report = 'test-results.json';
rmSync(report, { force: true });
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
} catch (e) {
  console.log(`tests: vitest wrote no report (${e.message})`);
}
process.exitCode = run.status ?? 1;

/** `matdiff check`: every `assert L = R` of a file, decided symbolically or on random draws. */
import { type Args, UsageError, flag, onlyFlags, switchOn } from '../args.js';
import { loadModel } from '../load.js';
import { checkModel } from '../../api.js';
import { checkJson } from '../json.js';
import { maxMemory } from '../limits.js';

export function checkCommand(args: Args): { out: string; code: number } {
  onlyFlags(args, ['trials', 'seed', 'dims', 'json', 'max-memory']);
  const trials = count(args, 'trials', 20);
  const seed = count(args, 'seed', 1);
  const json = switchOn(args, 'json');
  const model = loadModel(args);
  if (model.asserts.length === 0 && !json)
    return { out: `${model.file}: no 'assert LHS = RHS' lines to check`, code: 0 };
  const report = checkModel(model, { trials, seed, maxMemory: maxMemory(args) });
  return { out: json ? checkJson(model, report) : report.text, code: report.ok ? 0 : 1 };
}

function count(args: Args, name: string, fallback: number): number {
  const v = flag(args, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || (name === 'trials' && Number(v) === 0))
    throw new UsageError(`--${name} takes a ${name === 'trials' ? 'positive' : 'non-negative'} integer; got '${v}'`);
  return Number(v);
}

/**
 * Command-line flags, parsed by Node's `util.parseArgs`: `--name value`, `--name=value`,
 * `-o OUT`, positionals (`-` is standard input), and `--` before a positional that
 * starts with a dash.
 *
 * A flag takes a value unless `BOOLEAN` lists it, so adding a flag to a command is one
 * entry in that command's `onlyFlags` list (and one here when it takes no value).
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { ERRORS, MatdiffError } from '../errors.js';

/**
 * A bad invocation (E050): the CLI prints `matdiff CMD: message` and the command's help,
 * and exits 2.
 */
export class UsageError extends MatdiffError {
  constructor(
    message: string,
    /** Print the command's help after the message (not for a file that cannot be read). */
    readonly showHelp = true,
  ) {
    super('E050', ERRORS.E050.msg(message), undefined, 2);
  }
}

export interface Args {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Flags that take no value. */
const BOOLEAN = new Set(['help', 'symbolic', 'json', 'version']);
/** One-letter aliases. */
const SHORT: Record<string, string> = { h: 'help', o: 'o' };

export function parseArgs(argv: readonly string[]): Args {
  // Every flag named on the line is known to parseArgs: with its type when it is one of
  // ours, as taking a value otherwise (so `onlyFlags` can say it is unknown).
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const a of argv) {
    if (a === '--') break;
    const m = /^--([^=]+)/.exec(a);
    if (m) options[m[1]!] = { type: BOOLEAN.has(m[1]!) ? 'boolean' : 'string' };
  }
  for (const [short, long] of Object.entries(SHORT))
    options[long] = { ...(options[long] ?? { type: BOOLEAN.has(long) ? 'boolean' : 'string' }), short };
  const { tokens } = nodeParseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    // A boolean given a value (`--json=no`) keeps the value, for `flag()` to refuse.
    // A value-taking flag with none is `true`: `flag()` then says it needs one, after
    // `onlyFlags()` has had the chance to say it is unknown.
    else if (t.kind === 'option') flags.set(t.name, t.value ?? true);
  }
  return { positionals, flags };
}

/** A flag's value, one of `choices` when given; `fallback` when absent. */
export function flag<T extends string>(args: Args, name: string, choices: readonly T[], fallback: T): T;
export function flag(args: Args, name: string): string | undefined;
export function flag(args: Args, name: string, choices?: readonly string[], fallback?: string): string | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return fallback;
  if (v === true) throw new UsageError(`--${name} needs a value`);
  if (choices && !choices.includes(v))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got '${v}'`);
  return v;
}

/** Whether a flag that takes no value (`--json`) is given. */
export function switchOn(args: Args, name: string): boolean {
  const v = args.flags.get(name);
  if (v !== undefined && v !== true) throw new UsageError(`--${name} takes no value; got '${v}'`);
  return v === true;
}

/** Rejects flags a command does not know. */
export function onlyFlags(args: Args, known: readonly string[]): void {
  for (const name of args.flags.keys())
    if (!known.includes(name) && name !== 'help') throw new UsageError(`unknown flag --${name}`);
}

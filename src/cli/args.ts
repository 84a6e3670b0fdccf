/** Command-line flags: `--name value`, `--name=value`, and positionals. */
export class UsageError extends Error {}

export interface Args {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Flags that take no value. */
const BOOLEAN = new Set(['help', 'h', 'symbolic']);

export function parseArgs(argv: readonly string[]): Args {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-' || !a.startsWith('-')) {
      positionals.push(a);
      continue;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a)!;
    const name = m[1]!;
    if (m[2] !== undefined) flags.set(name, m[2]);
    else if (BOOLEAN.has(name)) flags.set(name, true);
    else {
      // A flag without a value is kept as `true`: `flag()` then says it needs one, after
      // `onlyFlags()` has had the chance to say it is unknown.
      const v = argv[i + 1];
      if (v === undefined) flags.set(name, true);
      else {
        flags.set(name, v);
        i++;
      }
    }
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

/** Rejects flags a command does not know. */
export function onlyFlags(args: Args, known: readonly string[]): void {
  for (const name of args.flags.keys())
    if (!known.includes(name) && name !== 'help' && name !== 'h') throw new UsageError(`unknown flag --${name}`);
}

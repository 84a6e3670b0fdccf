/**
 * The `matdiff` command: a thin layer over the library. Every failure a user can cause
 * ends here as a message and an exit status — 1 for a bad model or data, 2 for a bad
 * invocation — never a stack trace.
 */
import { parseArgs, UsageError, type Args } from './args.js';
import { USAGE, HELP } from './help.js';
import { MatdiffError } from '../errors.js';
import { ModelErrors } from '../api.js';
import { unexpectedErrorText } from './failure.js';
import { printCommand } from './commands/print.js';
import { deriveCommand } from './commands/derive.js';
import { checkCommand } from './commands/check.js';
import { graphCommand } from './commands/graph.js';
import { runCommand } from './commands/run.js';
import { emitCommand } from './commands/emit.js';

/** A command's standard output, or its output and exit status (`check` exits 1 when an assert fails). */
type Output = string | { out: string; code: number };
type Command = (args: Args) => Output | Promise<Output>;

const COMMANDS: Record<string, Command | undefined> = {
  print: printCommand,
  grad: (a) => deriveCommand('grad', a),
  hess: (a) => deriveCommand('hess', a),
  jac: (a) => deriveCommand('jac', a),
  check: checkCommand,
  graph: graphCommand,
  run: runCommand,
  emit: emitCommand,
};

export async function main(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help')
    return { code: name ? 0 : 2, out: name ? USAGE : '', err: name ? '' : USAGE };
  if (!(name in HELP)) return { code: 2, out: '', err: `matdiff: unknown command '${name}'\n\n${USAGE}` };
  try {
    const args = parseArgs(rest);
    if (args.flags.has('help') || args.flags.has('h')) return { code: 0, out: HELP[name]!, err: '' };
    const command = COMMANDS[name];
    if (!command) return { code: 2, out: '', err: `matdiff ${name}: not available yet in this version` };
    const result = await command(args);
    return typeof result === 'string' ? { code: 0, out: result, err: '' } : { ...result, err: '' };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, out: '', err: `matdiff ${name}: ${e.message}\n\n${HELP[name]}` };
    if (e instanceof ModelErrors) return { code: 1, out: '', err: e.errors.map((x) => x.format()).join('\n\n') };
    if (e instanceof MatdiffError) return { code: e.exitCode, out: '', err: e.format() };
    if (process.env.MATDIFF_DEBUG) console.error(e);
    return { code: 1, out: '', err: unexpectedErrorText(e) };
  }
}

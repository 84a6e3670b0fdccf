/**
 * The `matdiff` command: a thin layer over the library (src/api.ts). Every failure a
 * user can cause ends here as a message and an exit status — 1 for a bad model or data,
 * 2 for a bad invocation — never a stack trace.
 */
import { parseArgs, UsageError, type Args } from './args.js';
import { USAGE, HELP } from './help.js';
import { version } from './version.js';
import { MatdiffError } from '../errors.js';
import { ModelErrors, OptionError } from '../api.js';
import { unexpectedErrorText } from './failure.js';
import { printCommand } from './commands/print.js';
import { deriveCommand } from './commands/derive.js';
import { checkCommand } from './commands/check.js';
import { graphCommand } from './commands/graph.js';
import { runCommand } from './commands/run.js';
import { emitCommand } from './commands/emit.js';
import { explainCommand } from './commands/explain.js';

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
  explain: explainCommand,
};

export interface Result {
  code: number;
  out: string;
  err: string;
}

export async function main(argv: readonly string[]): Promise<Result> {
  const [name, ...rest] = argv;
  if (!name) return { code: 2, out: '', err: USAGE };
  if (name === '--help' || name === '-h') return { code: 0, out: USAGE, err: '' };
  if (name === '--version' || name === '-v' || name === 'version')
    return { code: 0, out: `matdiff ${version()}`, err: '' };
  // `matdiff help grad` is `matdiff grad --help`.
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { code: 0, out: USAGE, err: '' };
    if (!(topic in HELP)) return unknownCommand(topic);
    return { code: 0, out: HELP[topic]!, err: '' };
  }
  if (!(name in HELP)) return unknownCommand(name);
  try {
    const args = parseArgs(rest);
    if (args.flags.has('help')) return { code: 0, out: HELP[name]!, err: '' };
    const command = COMMANDS[name];
    if (!command) return { code: 2, out: '', err: `matdiff ${name}: not available yet in this version` };
    const result = await command(args);
    return typeof result === 'string' ? { code: 0, out: result, err: '' } : { ...result, err: '' };
  } catch (e) {
    return failure(name, e);
  }
}

function unknownCommand(name: string): Result {
  return { code: 2, out: '', err: `matdiff: unknown command '${name}'\n\n${USAGE}` };
}

/** An exception as the message a user sees, and the exit status. */
function failure(name: string, e: unknown): Result {
  const usage = (message: string, help = true) => ({
    code: 2,
    out: '',
    err: `matdiff ${name}: ${message}` + (help ? `\n\n${HELP[name]}` : ''),
  });
  if (e instanceof UsageError) return usage(e.message, e.showHelp);
  if (e instanceof OptionError) return usage(`--${e.option}: ${e.detail}`);
  if (e instanceof ModelErrors) return { code: 1, out: '', err: e.errors.map((x) => x.format()).join('\n\n') };
  if (e instanceof MatdiffError) return { code: e.exitCode, out: '', err: e.format() };
  if (process.env.MATDIFF_DEBUG) console.error(e);
  return { code: 1, out: '', err: unexpectedErrorText(e) };
}

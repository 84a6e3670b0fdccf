/**
 * Colour in error messages: only on a terminal, unless NO_COLOR or FORCE_COLOR say
 * otherwise (https://no-color.org; FORCE_COLOR as Node and most CLI tools read it:
 * `0` or `false` turns colour off, any other value turns it on, and it wins over NO_COLOR).
 */
export function wantColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const RED = '\x1b[31m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/**
 * The error text of `matdiff` in colour: `error:` (or `matdiff grad:` for a bad
 * invocation) in bold red, the `FILE:LINE:COL:` it points at in bold, and the caret
 * underline in red. Nothing else changes.
 */
export function colourErrors(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^(.*?)(\berror(?:\[[A-Z]\d+\])?:)(.*)$/.exec(line);
      if (m && !/^\s*\d* \|/.test(line)) return `${m[1] ? BOLD + m[1] + RESET : ''}${BOLD}${RED}${m[2]}${RESET}${m[3]}`;
      const usage = /^(matdiff(?: [a-z]+)?:)( .*)$/.exec(line);
      if (usage) return `${BOLD}${RED}${usage[1]}${RESET}${usage[2]}`;
      const caret = /^(\s*\|\s*)(\^+)\s*$/.exec(line);
      if (caret) return `${caret[1]}${RED}${caret[2]}${RESET}`;
      return line;
    })
    .join('\n');
}

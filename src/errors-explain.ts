/**
 * The longer explanation of each error code, with an example, as `matdiff explain CODE`
 * prints it (as `rustc --explain` does). The record is typed by the catalogue's codes,
 * so a new code without an explanation does not compile.
 */
import { ERRORS, type ErrorCode } from './errors.js';

const EXPLAIN: Record<ErrorCode, { text: string; example: string }> = {
  E001: {
    text: 'The model does not follow the grammar (LANGUAGE.md §1): the parser names what it expected at the first place it could not go on, as an operand after an operator or a closing bracket.',
    example: 'A: [m, n]\nB = A +    # error[E001]: expected an expression',
  },
  E002: {
    text: 'Expressions may nest (brackets, calls, prefix operators) at most a fixed number of levels deep; deeper input is refused before it could overflow the stack. Name an inner part with a definition instead.',
    example: 'x = ((((((((…a…))))))))    # more levels than the limit',
  },
  E003: {
    text: 'A name is used that is neither a declared variable, a definition nor a dimension. Declare it (`x: [n]`) or define it (`y = …`) before the line that uses it; a close spelling is suggested.',
    example: "x: [n]\nL = sum(xx)    # error[E003]: unknown name 'xx'; did you mean 'x'?",
  },
  E004: {
    text: 'A model is read top to bottom: a definition can use only what is declared or defined above it.',
    example: "L = M + 1\nM = 2    # error[E004]: 'M' is used before its definition",
  },
  E005: {
    text: 'Every variable and definition has one name; a name cannot be declared or defined twice. Choose a new name for the second one.',
    example: "x: [n]\nx = 2    # error[E005]: 'x' is already defined",
  },
  E006: {
    text: 'Function names (exp, sum, tr …) and the transpose mark T are reserved and cannot name a variable, a definition or a dimension.',
    example: "exp: [n]    # error[E006]: 'exp' is a reserved word and cannot name a variable",
  },
  E007: {
    text: 'A dimension is a positive integer or a dimension name, and a shape has at most two dimensions; sizes are safe integers (below 2^53).',
    example: 'W: [0, 2]    # error[E007]: a dimension must be a positive integer, got 0',
  },
  E008: {
    text: 'A function is called with a number of arguments it does not take; the message lists the numbers it does take.',
    example: 'x: [n]\nL = sum(x, x)    # error[E008]: sum takes 1 argument, got 2',
  },
  E009: {
    text: 'A call names no function matdiff knows; a close spelling is suggested. LANGUAGE.md §2 lists the functions.',
    example: "x: [n]\nL = summ(x)    # error[E009]: unknown function 'summ'; did you mean 'sum'?",
  },
  E010: {
    text: 'The shapes of an operation do not fit: a product whose inner dimensions differ, a sum of different shapes that do not broadcast, a function that needs a square matrix, or an assert whose sides differ in shape. The message names the operation and both shapes.',
    example:
      'A: [m, n]\nx: [m]\ny = A·x    # error[E010]: cannot multiply [m,n] by [m]: inner dimensions n and m differ',
  },
  E011: {
    text: 'A name is used both as a dimension (in a shape) and as a variable or definition; the two kinds of name share one namespace.',
    example: "x: [n]\nn: [n]    # error[E011]: 'n' is both a dimension and a variable",
  },
  E012: {
    text: 'A matrix power A^p is not defined for a non-scalar; write .^p for the elementwise power, or the product itself (A·A).',
    example: 'A: [n, n]\nB = A^2    # error[E012]: a matrix power is not defined for [n,n]: …',
  },
  E013: {
    text: 'An operation needs a scalar and got a matrix: a gradient of a non-scalar output, or a division by a non-scalar with /. Use jac for the derivative of a vector, ⊘ (./) to divide elementwise.',
    example: "x: [n]\ny: [n]\nz = x / y    # error[E013]: cannot divide [n] by [n]: '/' needs a scalar divisor; …",
  },
  E014: {
    text: 'A derivative written in the model (grad, hess, jac, hvp, jvp) does not exist for these shapes: grad and hess need a scalar function, a direction must be shaped like the variable.',
    example: 'x: [n]\ng = grad(2·x, x)    # error[E014]: grad needs a scalar function, got [n]; use jac for a vector',
  },
  E015: {
    text: 'An argument is of the wrong kind: a function used without a call, a variable called like a function, a dimension where a declared variable is expected, or (in the API) a name that is not a definition or variable of the model.',
    example: "x: [n]\ny = sum    # error[E015]: 'sum' is a function: call it, as in sum(…)",
  },
  E016: {
    text: 'The model declares variables but defines nothing, so there is no output to differentiate, run or emit.',
    example: 'x: [n]    # and no definition: error[E016]: the model defines nothing',
  },
  E017: {
    text: 'A property (sym, spd …) is declared on a shape it cannot hold: symmetric and positive-definite matrices are square.',
    example: "A: [m, n] sym    # error[E017]: 'sym' needs a square matrix, but A is [m,n]",
  },
  E018: {
    text: 'A number is beyond float64 (about 1.8e308): a literal, or a product of constants the simplifier would fold.',
    example: 'x: [n]\nL = 1e309·sum(x)    # error[E018]: the number 1e309 is too large: …',
  },
  E020: {
    text: 'The WGSL backend was given inputs it cannot take (a buffer of the wrong size or type) when the model runs on the GPU.',
    example: 'matdiff run m.mdf --inputs d.json --backend wgsl    # inputs the device refuses',
  },
  E021: {
    text: 'The requested feature is not available here: the WGSL backend without WebGPU (install the optional package `webgpu`), or a model beyond a device limit.',
    example: 'matdiff run m.mdf --inputs d.json --backend wgsl    # error[E021]: the WGSL backend needs WebGPU: …',
  },
  E030: {
    text: 'matdiff itself failed: this is a bug, not a problem of the input. Please report it with the model; MATDIFF_DEBUG=1 prints the stack.',
    example: 'error[E030]: matdiff bug: … (please report it; set MATDIFF_DEBUG=1 for details)',
  },
  E040: {
    text: 'The data file of `matdiff run --inputs` is not valid JSON, or not a JSON object mapping variable names to values; a key given twice is refused too.',
    example: '{"x": [1, 2,], "s": 1}    # error[E040]: not valid JSON: expected a value …',
  },
  E041: {
    text: 'The data names a variable the model does not declare, or leaves a declared variable without a value.',
    example: '{"x": [1, 2], "y": 2}    # error[E041]: \'y\' is not a declared variable',
  },
  E042: {
    text: 'An entry of the data is not a finite number (a string, null, or a number beyond float64).',
    example: '{"x": [1, "a"]}    # error[E042]: x[1] is "a": expected a finite number',
  },
  E043: {
    text: 'A value does not have the declared shape: a matrix for a vector, ragged rows, or sizes that disagree with each other or with --dims.',
    example:
      'x: [m]  with  {"x": [[1, 2]]}    # error[E043]: x is declared [m], a vector, so its value is a flat array …',
  },
  E044: {
    text: 'A value breaks a declared property: a sym matrix that is not symmetric, a pos entry that is not positive, an spd matrix that is not positive-definite.',
    example:
      'A: [n, n] sym  with  {"A": [[1, 2], [3, 4]]}    # error[E044]: A is declared sym, but it is not symmetric …',
  },
  E045: {
    text: 'A result of `matdiff run` (a value or a gradient) is infinite or NaN; JSON has no such numbers, so the result is refused and its first non-finite entry named. Rescale the data or the model.',
    example:
      'x: [n]\nL = sum(exp(x))  with  {"x": [1000]}    # error[E045]: the value of L is not finite: L = Infinity …',
  },
  E046: {
    text: 'Running the model needs more memory than --max-memory (default 80% of the machine) or more work than is sensible; the message names the largest intermediate or the costliest step. Use smaller sizes.',
    example:
      'matdiff run m.mdf --dims n=100000000 …    # error[E046]: running this model needs about 1.0e16 operations, …',
  },
  E050: {
    text: 'The command line is wrong: an unknown flag, a missing FILE, a flag without its value, a value not among the choices. The command prints its help after the message and exits with status 2.',
    example: 'matdiff print m.mdf --colour    # matdiff print: unknown flag --colour',
  },
  E051: {
    text: 'An option names what the model does not have: --of a name that is not a definition, --wrt a name that is not a declared variable. The message suggests a close name; the exit status is 2.',
    example: "matdiff grad m.mdf --wrt xx    # matdiff grad: --wrt: 'xx' is not a declared variable; did you mean 'x'?",
  },
};

/** The example of `code`: a model (or a command line, or data) and, in a comment, the error it gets. */
export function exampleOf(code: ErrorCode): string {
  return EXPLAIN[code].example;
}

/** Whether `code` names an entry of the catalogue. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code);
}

/** `CODE: title`, the explanation, and its example, indented. */
export function explainText(code: ErrorCode): string {
  const { text, example } = EXPLAIN[code];
  const indented = example
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `${code}: ${ERRORS[code].title}\n\n${wrap(text, 88)}\n\nExample:\n\n${indented}`;
}

/** `text` broken at spaces into lines of at most `width` characters. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

/** Help texts, one per command. */
export const USAGE = `matdiff — a compiler for matrix calculus

Usage: matdiff <command> FILE [flags]      (FILE may be - for standard input)

Commands:
  print   parse and shape-check a model; print it back with every shape
  grad    print gradients:   matdiff grad FILE --wrt W,b [--of NAME] [--format unicode|ascii|latex]
  hess    print a Hessian:   matdiff hess FILE --wrt x [--direction V] [--of NAME] [--format …]
  jac     print a Jacobian:  matdiff jac FILE --wrt x [--direction V] [--of NAME] [--format …]
  run     run the model on data:    matdiff run FILE --inputs DATA.json [--wrt W,b] [--backend ts|wgsl] [--dtype f32|f64]
  emit    write the kernel module:  matdiff emit FILE --target ts|wgsl|numpy [--wrt W,b] [-o OUT]
  check   check every 'assert LHS = RHS' line of FILE
  graph   draw the computation graph: matdiff graph FILE [--wrt W,b] [--format mermaid|dot]
  explain explain an error code, with an example: matdiff explain E010

Every command takes --dims n=3,m=4 to fix symbolic sizes, and --help.
print, grad, hess, jac and check take --json: one JSON object for tools (docs/cli-json.md).
Run 'matdiff help <command>' (or 'matdiff <command> --help') for one command,
'matdiff --version' for the version.`;

export const HELP: Record<string, string> = {
  print: `Usage: matdiff print FILE [--format unicode|ascii|latex] [--dims n=3,…] [--json]

Parses and shape-checks the model and prints it back: declarations, each definition
with its shape (H: [h, B] = relu(W1·X + b1)), and asserts. Exit 0 when the model is valid,
1 with located messages when it is not.`,
  grad: `Usage: matdiff grad FILE [--wrt W,b] [--of NAME] [--format unicode|ascii|latex] [--json]

Prints ∂L/∂W = <expression> for each variable, where L is the output (the last
definition, or --of NAME). Without --wrt: every declared variable L depends on.
The expressions are simplified, in matrix notation; shared parts are named once on
'where' lines. With --format ascii every line re-parses under the model's declarations.
With --json: one JSON object, each derivative and where-binding in --format (docs/cli-json.md).`,
  hess: `Usage: matdiff hess FILE --wrt x [--direction V] [--of NAME] [--format unicode|ascii|latex] [--json]

Prints the Hessian ∂²L/∂x² of a scalar output in a vector (or scalar) x. In a matrix
X: [m, n], the flattened [mn, mn] form in Kronecker products (∂²L/∂X² = 2·I(n) ⊗ (Aᵀ·A)).
With --direction V: the Hessian as an operator, ∂²L/∂X²[V] = … shaped like X (V is
the model's variable of that name, or a new one shaped like X).`,
  jac: `Usage: matdiff jac FILE --wrt x [--direction V] [--of NAME] [--format unicode|ascii|latex] [--json]

Prints the Jacobian ∂F/∂x [m, n] of a vector output F [m] in a vector x [n]. Of a
matrix F: [p, q] or in a matrix X: [m, n], the flattened [pq, mn] form ∂vec(F)/∂vec(X)ᵀ.
With --direction V: the directional derivative ∂F/∂X[V] = … shaped like F.`,
  run: `Usage: matdiff run FILE --inputs DATA.json [--wrt W,b] [--backend ts|wgsl] [--dtype f32|f64] [--of NAME] [--max-memory SIZE] [--threads N]

Compiles the model and runs it on the data, printing {"value": V, "grad": {"W": …}}.
DATA.json maps each declared name to its value: a number for a scalar, an array of
numbers for a vector, an array of rows for a matrix; symbolic sizes are bound from it.
Results use the same layout. Without --wrt: gradients by every declared variable the
output depends on (none for a non-scalar output, which prints only its value).
A value or gradient that is not finite is an error (JSON has no infinity). A model whose
buffers would need more than --max-memory SIZE (default: 80% of this machine's memory,
e.g. --max-memory 8GB), or more than 1e15 operations, is refused before it runs.
--threads N (--backend ts; default 1) splits the large matrix products among N threads
(worker threads sharing WebAssembly memory); results are the same.`,
  emit: `Usage: matdiff emit FILE --target ts|wgsl|numpy [--wrt W,b] [-o OUT] [--dtype f32|f64] [--of NAME] [--threads N]

Writes the generated kernel module (forward and backward passes), prettier-formatted.
The TypeScript module is standalone: forward(inputs, dims?) and valueAndGrad(inputs,
dims?), inputs as row-major typed arrays or nested arrays. --target numpy writes a
Python module that needs only NumPy: forward(inputs) and value_and_grad(inputs), inputs
a dict of floats and arrays shaped as declared (a vector [n] as shape (n,)).
--threads N (--target ts; default 1): the module splits its large matrix products among
N threads where the host allows (Node; a cross-origin isolated page: shared memory and
workers), else runs them on one, and exports threadsReady().`,
  check: `Usage: matdiff check FILE [--trials N] [--seed N] [--max-memory SIZE] [--json]

Checks every 'assert LHS = RHS' line, printing one line per assert in file order:
'holds (symbolic)' when the simplifier brings both sides to one expression,
'holds (numeric, N trials), at n = 1…5' when they agree on N random draws (default 20;
sizes 1..5 for symbolic dimensions, values respecting sym/spd/pos, some at 0, ±1 and
rank one) within the round-off of the two sides, 'fails' followed by the smallest
counterexample found, or 'could not be decided' with the reason (too few valid draws at
sizes ≥ 2, or more than --max-memory); then a summary line, '57 hold, 0 fail'. Exit 1
if any fails (or could not be decided).`,
  graph: `Usage: matdiff graph FILE [--wrt W,b] [--of NAME] [--format mermaid|dot]

Draws the computation graph of the output as a Mermaid flowchart (default) or Graphviz
dot, each step labelled with its formula. With --wrt, the backward pass stands beside
the forward one: the gradients' steps, adjoint flow dashed, and an arrow from each
variable to its gradient.`,
  explain: `Usage: matdiff explain CODE

Explains an error code (the E010 of 'error[E010]: …'): what it means, what usually
causes it, and an example that produces it.`,
};

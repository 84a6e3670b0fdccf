/**
 * The layering of matdiff, checked by `npm test` (scripts/test.mjs runs
 * `depcruise --config .dependency-cruiser.cjs src codegen`).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'node-is-a-leaf',
      severity: 'error',
      comment:
        'src/graph/node.ts interns nodes and nothing else: at run time it imports only shapes ' +
        '(its types may name an operator, a property, an error code).',
      from: { path: '^src/graph/node\\.ts$' },
      to: { pathNot: '^src/shape/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-below-codegen',
      severity: 'error',
      comment:
        'The calculus core (src/) is built without the backends: only the command line, the ' +
        'public API (src/api.ts, src/index.ts) and the pipeline (src/pipeline.ts) import codegen/.',
      from: { path: '^src/', pathNot: '^src/(cli/|api\\.ts$|index\\.ts$|pipeline\\.ts$)' },
      to: { path: '^codegen/' },
    },
    {
      name: 'cli-on-top',
      severity: 'error',
      comment: 'Nothing imports the command line but the command line itself (src/cli/bin.ts is its entry).',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

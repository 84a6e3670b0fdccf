/** matdiff's version: the `version` of the package.json above this file (in src/ or in dist/src/). */
import { readFileSync } from 'node:fs';

export function version(): string {
  for (let dir = new URL('.', import.meta.url); ;) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'matdiff' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const up = new URL('..', dir);
    if (up.href === dir.href) return 'unknown';
    dir = up;
  }
}

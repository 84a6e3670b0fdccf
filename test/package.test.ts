/**
 * What `npm pack` ships: only what users run and read (dist/ JavaScript and declarations,
 * the grammar, docs/, README, LICENSE, CHANGELOG), every module the shipped code imports
 * shipped or declared, and the metadata a registry shows. Slow: it builds a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { builtCopy, type BuiltCopy } from './pack-util.js';

interface PackJson {
  name: string;
  version: string;
  files: { path: string; size: number }[];
  unpackedSize: number;
}

let copy: BuiltCopy;
let pack: PackJson;
let paths: Set<string>;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, any>;

beforeAll(async () => {
  copy = await builtCopy('matdiff-pack-');
  // Stray files a working tree collects: none may be shipped.
  writeFileSync(join(copy.dir, 'notes.txt'), 'scratch\n');
  writeFileSync(join(copy.dir, 'scratch.ts'), 'export {};\n');
  pack = (JSON.parse(await copy.npm(['pack', '--dry-run', '--json', '--ignore-scripts'])) as PackJson[])[0]!;
  paths = new Set(pack.files.map((f) => f.path));
}, 300_000);
afterAll(() => copy?.remove());

describe('npm pack --dry-run', () => {
  it('ships only dist JavaScript and declarations, the grammar, docs and the top-level texts', () => {
    const allowed = [
      /^dist\/(src|codegen)\/.+\.(js|d\.ts)$/,
      /^dist\/grammar\/matdiff\.ohm$/,
      /^docs\/[\w-]+\.md$/,
      /^(README\.md|LICENSE|CHANGELOG\.md|package\.json)$/,
    ];
    const stray = [...paths].filter((p) => !allowed.some((re) => re.test(p)));
    expect(stray).toEqual([]);
    for (const p of paths)
      expect(p).not.toMatch(/^(test|bench|scripts|examples|playground|editors|\.ci|src|codegen)\/|\.map$/);
    for (const p of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'docs/api.md', 'docs/cli-json.md'])
      expect(paths, p).toContain(p);
  });

  it('ships what package.json points at: bin, main, types, exports', () => {
    const targets = [
      pkg.bin.matdiff,
      pkg.main,
      pkg.types,
      pkg.exports['.'].types,
      pkg.exports['.'].import,
      pkg.exports['.'].default,
    ];
    for (const t of targets) expect(paths, t).toContain(posix.normalize(t));
    const bin = readFileSync(join(copy.dir, pkg.bin.matdiff), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('every module the shipped code imports is shipped, a dependency, or the optional peer', () => {
    const deps = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    let relative = 0;
    let references = 0;
    for (const p of paths) {
      if (!p.endsWith('.js') && !p.endsWith('.d.ts')) continue;
      const text = readFileSync(join(copy.dir, p), 'utf8');
      // Import lines of the compiled code (not the import examples in its comments and templates).
      const specs = text
        .split('\n')
        .filter((l) => !/^\s*(\*|\/\/(?!\/ <reference)|\/\*)/.test(l))
        .flatMap((l) => [
          ...l.matchAll(/^(?:(?:import|export)\b[^'"`]*?\bfrom|\}\s*from|import)\s+['"]([^'"]+)['"]/g),
          ...l.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
          ...l.matchAll(/^\/\/\/ <reference types="([^"]+)"/g),
        ])
        .map((m) => m[1]!);
      for (const spec of specs) {
        if (spec.startsWith('.')) {
          const target = posix.normalize(posix.join(posix.dirname(p), spec));
          expect(paths, `${p} imports ${spec}`).toContain(
            p.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target,
          );
          relative++;
        } else if (!spec.startsWith('node:')) {
          if (spec === '@webgpu/types') references++;
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          expect(deps, `${p} imports ${spec}`).toContain(name);
        }
      }
    }
    expect(relative).toBeGreaterThan(100);
    expect(references).toBeGreaterThan(0);
  });

  it('is small: under 250 files and 1 MB unpacked', () => {
    expect(paths.size).toBeLessThan(250);
    expect(pack.unpackedSize).toBeLessThan(1_000_000);
  });
});

describe('package.json', () => {
  it('the metadata a registry shows', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License\n/);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(pkg.keywords).toEqual(expect.arrayContaining(['matrix calculus', 'automatic differentiation', 'webgpu']));
    expect(pkg.engines.node).toMatch(/^>=\d+/);
    expect(pkg.type).toBe('module');
  });

  it("'webgpu' is an optional peer dependency, installed for the tests as a dev dependency", () => {
    expect(pkg.dependencies.webgpu).toBeUndefined();
    expect(pkg.peerDependencies.webgpu).toBeDefined();
    expect(pkg.peerDependenciesMeta.webgpu).toEqual({ optional: true });
    expect(pkg.devDependencies.webgpu).toBe(pkg.peerDependencies.webgpu);
  });

  it('the runtime dependencies are the parser, the formatter of emitted modules, and the WebGPU types the declarations name', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@webgpu/types', 'ohm-js', 'prettier']);
  });
});
